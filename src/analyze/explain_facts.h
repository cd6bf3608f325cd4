// What explain's detectors share (internal to src/analyze): the facts
// about each span of the trace against its baseline, gathered once, and
// the candidate causes the detectors propose before they are ranked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyze/baseline.h"
#include "analyze/cause.h"
#include "analyze/explain.h"

namespace callpath::analyze::detail {

inline constexpr int32_t kSeverityWarn = 13;
inline constexpr int32_t kSeverityError = 17;
inline constexpr size_t kNone = static_cast<size_t>(-1);

struct SpanFacts {
  const OperationBaseline* base = nullptr;  // none: the operation is new
  uint64_t local_self_ns = 0;
  // Failed by its status, or (status unset) by its attributes: an HTTP 5xx,
  // a failing gRPC code, an exception event, error=true.
  bool failed = false;
  bool failure_expected = false;  // the baseline's error rate makes it usual
  bool timed_out = false;         // the failure reads as a timeout or deadline
  std::string failure;            // "stock database unavailable", "HTTP 503", ...
  std::vector<size_t> logs;       // indexes into the trace's logs, time order
  // The first error-level log record of this span whose template the
  // baseline does not show as usual for it (kNone: none).
  size_t unusual_error_log = kNone;
  // Latency: duration minus its baseline p50 (0 without a baseline), and
  // the part of it the span spent itself, not explained by its children.
  int64_t duration_excess_ns = 0;
  int64_t own_excess_ns = 0;
  bool slow = false;  // own excess beyond the operation's usual spread
  // A client span whose usual callee left no span: the callee's name.
  std::string missing_callee;
};

struct TraceFacts {
  const query::AssembledTrace& trace;
  const std::vector<store::StoredLog>& logs;
  const Baseline& baseline;
  std::vector<SpanFacts> spans;
  // Logs that name a span not in the trace (or none), by service, for
  // services that have no span in the trace.
  std::vector<std::pair<std::string, std::vector<size_t>>> homeless_logs;
  bool root_failed = false;
  bool trace_slow = false;
  int64_t trace_excess_ns = 0;  // the root's duration beyond its p50
};

// Builds the facts (logs sorted into spans, failures, latency excess).
TraceFacts GatherFacts(const query::AssembledTrace& trace, const std::vector<store::StoredLog>& logs,
                       const Baseline& baseline);

// A proposed cause. `span` is the span blamed (kNone when none exists);
// `anchor` the span under which the evidence was found (the client span of
// a missing callee), used to tell which causes explain which.
struct Candidate {
  Cause cause;
  size_t span = kNone;
  size_t anchor = kNone;
};

// The detectors (one file each). Each appends its candidates.
void FindFailures(const TraceFacts& facts, std::vector<Candidate>* out);    // explain_errors.cc
void FindMissingCallees(const TraceFacts& facts, std::vector<Candidate>* out);  // explain_calls.cc
void FindRetries(const TraceFacts& facts, const std::vector<Candidate>& found,
                 std::vector<Candidate>* out);                              // explain_calls.cc
// Failures inside an attempt that a retry recovered weigh what the retry
// cost the request: their scores scale as the retry's did (explain_calls.cc).
void WeighRecoveredFailures(const TraceFacts& facts, const std::vector<Candidate>& retries,
                            std::vector<Candidate>* found);
void FindSlowSpans(const TraceFacts& facts, std::vector<Candidate>* out);   // explain_latency.cc
void FindLogAnomalies(const TraceFacts& facts, std::vector<Candidate>* out);  // explain_logs.cc

// Merges candidates naming the same (service, operation), ranks them and
// writes the verdict and summary (explain_rank.cc).
void RankCauses(const TraceFacts& facts, std::vector<Candidate> candidates, const ExplainOptions& options,
                ExplainReport* report);

// ---- helpers shared by the detectors (explain_facts.cc) ----

// "480 ms", "1.25 s", "35 µs".
std::string FormatNs(int64_t ns);
// "service Operation".
std::string SpanName(const store::StoredSpan& span);
// A log record's severity number (from its text when the number is unset).
int32_t SeverityOf(const store::StoredLog& log);
// A log record's message as text.
std::string LogMessage(const store::StoredLog& log);
// Evidence quoting one log record.
Evidence LogEvidence(const store::StoredLog& log);
// Evidence with the span's status/failure, exception and telling attributes.
void AddSpanEvidence(const TraceFacts& facts, size_t span, std::vector<Evidence>* out);
// Evidence with the operation's baseline figures (duration and self time).
void AddBaselineEvidence(const TraceFacts& facts, size_t span, std::vector<Evidence>* out);
// The span's log lines, most severe first, at most `max`.
void AddLogEvidence(const TraceFacts& facts, size_t span, size_t max, std::vector<Evidence>* out);
// Whether `ancestor` is `span` or one of its ancestors.
bool IsAncestorOrSelf(const query::AssembledTrace& trace, size_t ancestor, size_t span);
// Cross-service children of `span` (its callees' spans).
std::vector<size_t> RemoteChildren(const query::AssembledTrace& trace, size_t span);

}  // namespace callpath::analyze::detail
