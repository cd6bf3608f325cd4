// Parsing of the OpenTelemetry exporter environment variables
// (OTEL_EXPORTER_OTLP_*, OTEL_TRACES_EXPORTER). The environment is read
// through an EnvLookup so tests can supply their own map, and every problem is
// returned as a warning string so tests can check it; the public
// FromEnvironment() functions print the warnings on stderr.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/exporters.h"

namespace callpath::internal {

// Returns the variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment (getenv).
EnvLookup ProcessEnvironment();

// "traces", "logs", "metrics" and the upper-case "TRACES", ...
std::string_view SignalPath(OtlpSignal signal) noexcept;   // "v1/traces"
std::string_view SignalName(OtlpSignal signal) noexcept;   // "TRACES"

// Decodes %XX escapes; nullopt on a '%' not followed by two hex digits.
// '+' is kept as is (this is not form encoding).
std::optional<std::string> PercentDecode(std::string_view in);

// True for "http://host..." or "https://host..." with a non-empty host
// (scheme case-insensitive).
bool IsHttpUrl(std::string_view url) noexcept;

// OTEL_EXPORTER_OTLP_ENDPOINT semantics: base + "v1/<signal>", with exactly
// one '/' between them ("http://h:4318" and "http://h:4318/" both give
// "http://h:4318/v1/traces").
std::string JoinSignalEndpoint(std::string_view base, OtlpSignal signal);

// OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT semantics: used as is, except that an
// empty path becomes "/".
std::string NormalizeSignalEndpoint(std::string_view url);

// Parses "k1=v1,k2=v2" (W3C baggage syntax without properties, values
// percent-decoded, spaces around members trimmed). A malformed member is
// skipped with a warning; the others are kept.
std::vector<std::pair<std::string, std::string>> ParseHeaderList(
    std::string_view text, std::vector<std::string>* warnings);

// A non-negative integer number of milliseconds; nullopt for anything else
// (sign, spaces, fraction, overflow).
std::optional<int64_t> ParseMilliseconds(std::string_view text) noexcept;

// OtlpHttpExporterOptions::FromEnvironment with an explicit environment.
// Starts from the defaults (endpoint http://localhost:4318/v1/<signal>).
OtlpHttpExporterOptions OtlpHttpOptionsFromEnv(OtlpSignal signal, const EnvLookup& env,
                                               std::vector<std::string>* warnings);

enum class TracesExporterKind { kOtlp, kConsole, kFile, kNone };

struct TracesExporterChoice {
  TracesExporterKind kind = TracesExporterKind::kOtlp;
  std::string file_path;  // for kFile
};

// Reads OTEL_TRACES_EXPORTER and CALLPATH_TRACES_FILE (see
// SpanExporterFromEnvironment in callpath/exporters.h).
TracesExporterChoice TracesExporterFromEnv(const EnvLookup& env,
                                           std::vector<std::string>* warnings);

// Writes each warning to stderr as "callpath: <warning>".
void ReportWarnings(const std::vector<std::string>& warnings);

}  // namespace callpath::internal
