// Reading OTEL_* / CALLPATH_* environment variables by the rules of the
// OpenTelemetry configuration spec: an empty value counts as unset; a value
// that does not parse is reported once on stderr and treated as unset.
//
// A shared internal header: the SDK and the logger (callpath::log, which
// links callpath::sdk) read their settings through it; it is not installed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callpath::env {

// The value, or nullopt when unset or empty.
std::optional<std::string> Get(const char* name);
// Only a case-insensitive "true" is true; unset gives `fallback`.
bool GetBool(const char* name, bool fallback);
// A non-negative integer (milliseconds, counts); nullopt when unset or bad.
std::optional<int64_t> GetInt(const char* name);
std::optional<double> GetDouble(const char* name);
// Lowercased copy, for case-insensitive enum values.
std::string Lower(std::string_view s);
// Prints "callpath: <message>" to stderr (configuration warnings).
void Warn(std::string_view message);

}  // namespace callpath::env
