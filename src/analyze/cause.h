// What cause-finding answers: a ranked list of causes, each naming a
// service (and an operation and span where one exists), a kind, a score and
// the evidence a person can check. `explain` (one trace), `diagnose` (an
// incident window) and their API, CLI and MCP renderings all share it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "callpath/ids.h"

namespace callpath::analyze {

// Why a cause is suspected. explain uses the first six; diagnose also the
// last three.
enum class CauseKind {
  kError,         // the span failed and nothing below it explains the failure
  kLatency,       // slower than its own baseline (self time or duration)
  kTimeout,       // a caller gave up on it: the callee hung or answered too late
  kMissingSpan,   // a callee that left no span (crashed, or not instrumented)
  kRetries,       // a dependency called again and again, making the trace slow
  kLog,           // only its log lines show the fault (an error log; a usual one missing)
  kErrorRate,     // diagnose: more of its calls fail than in the baseline
  kLogTemplate,   // diagnose: log templates new, vanished or more severe
  kMissingCalls,  // diagnose: calls that stopped happening
};
// "error", "latency", "timeout", "missing_span", "retries", "log",
// "error_rate", "log_template", "missing_calls".
const char* CauseKindName(CauseKind kind) noexcept;

// One fact behind a cause. `type` is "span", "log", "baseline",
// "attribute" or "skew"; `text` says it in one sentence with units
// ("Charge took 480 ms; its p50 over the last hour is 12 ms, p99 40 ms").
// The optional fields point at what the text speaks of.
struct Evidence {
  std::string type;
  std::string text;
  std::optional<SpanId> span_id;
  std::optional<uint64_t> time_ns;          // a log record's time
  std::optional<int32_t> severity_number;   // a log record's severity
  std::optional<double> observed;           // the figure seen (ns, a rate, a count)
  std::optional<double> expected;           // the baseline's figure, same unit
};

struct Cause {
  int rank = 0;                // 1 = most likely
  std::string service;         // never empty
  std::optional<std::string> operation;   // none when no span exists
  std::optional<SpanId> span_id;          // explain: the span blamed
  CauseKind kind = CauseKind::kError;
  double score = 0;            // 0..1, comparable within one answer
  std::string summary;         // one sentence
  std::vector<Evidence> evidence;
  std::vector<TraceId> example_traces;    // diagnose: up to 5
};

}  // namespace callpath::analyze
