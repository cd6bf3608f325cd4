// explain: why one trace failed or was slow, as ranked causes with the
// evidence behind each (analyze/cause.h).
//
// The trace is judged against its baseline (baseline.h), never against
// itself alone: a span that is always slow or an error that healthy
// traffic also has is not blamed. What it finds, and how (docs/rca.md):
//   error        a failure raised at a span and not explained below it
//                (errors propagated upwards are not blamed; errors as
//                frequent in the baseline score low)
//   latency      time a span spent itself beyond its own baseline, not
//                explained by its children; every operation of one
//                service slower at once is blamed on the service
//   timeout      a caller gave up on a callee that ended late (or never):
//                the callee's slowest part is blamed, not the caller
//   missing_span a callee that left no span (crashed, or lost): named from
//                the baseline's usual callee or the client span's
//                attributes; no operation, no span id
//   retries      a call that failed, was retried and then succeeded: the
//                first attempt's culprit, with the time the retries cost
//   log          an error log on a span whose status says nothing, or a
//                log template always written by that operation and missing
// Spans may carry no status at all: logs and latency still show faults.
// Durations and local self times are compared, not positions on the
// timeline, so a service with a skewed clock is never blamed for it; the
// skew adjustments the trace carries are reported as evidence.
//
// Pure and thread-compatible; no I/O. Cost is linear in spans and logs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/baseline.h"
#include "analyze/cause.h"
#include "query/assembled_trace.h"
#include "store/model.h"

namespace callpath::analyze {

struct ExplainOptions {
  // Causes scoring below this are left out.
  double min_score = 0.05;
  // At most this many causes are returned, most likely first.
  size_t max_causes = 8;
  // Log lines quoted as evidence per cause.
  size_t max_log_evidence = 3;
};

enum class TraceVerdict { kOk, kSlow, kError };
// "ok", "slow", "error".
const char* TraceVerdictName(TraceVerdict verdict) noexcept;

// A span whose times were shifted for clock skew (query::SkewAdjustment),
// named so a reader can see which service's clock is off.
struct SkewNote {
  SpanId span_id;
  std::string service;
  std::string operation;
  int64_t delta_ns = 0;
  std::string reason;
};

struct ExplainReport {
  TraceId trace_id;
  TraceVerdict status = TraceVerdict::kOk;
  std::string summary;        // one sentence a person can act on
  std::vector<Cause> causes;  // rank 1 first
  uint64_t baseline_start_ns = 0;  // the statistics window (0, 0: none)
  uint64_t baseline_end_ns = 0;
  uint32_t reference_traces = 0;   // healthy traces the baseline also used
  std::vector<SkewNote> adjustments;
};

// Explains `trace` with `logs` (the records of that trace, any order)
// against `baseline`. Never fails: an empty trace is "ok" with no causes.
ExplainReport Explain(const query::AssembledTrace& trace, const std::vector<store::StoredLog>& logs,
                      const Baseline& baseline, const ExplainOptions& options = {});

// The report as the API answers it (GET /api/v1/traces/{id}/explain):
// {"trace_id","status","summary","causes":[{"rank","service","operation"
// (null),"span_id" (null),"kind","score","summary","evidence":[{"type",
// "text","span_id"?,"time_ns"?,"severity_number"?,"observed"?,
// "expected"?}]}],"baseline":{"start_ns","end_ns","reference_traces"},
// "adjustments":[{"span_id","service","operation","delta_ns","reason"}]}
std::string RenderExplainJson(const ExplainReport& report);

}  // namespace callpath::analyze
