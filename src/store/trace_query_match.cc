#include "store/trace_query_match.h"

#include <algorithm>

#include "store/tag_match.h"

namespace callpath::store {

bool SummaryMatchesTraceLevel(const TraceQuery& q, const TraceSummary& s) {
  if (q.errors_only && s.error_count == 0) return false;
  if (q.min_trace_duration_ns && s.duration_ns < q.min_trace_duration_ns) return false;
  if (q.max_trace_duration_ns && s.duration_ns > q.max_trace_duration_ns) return false;
  for (const auto& svc : q.services_all) {
    if (!std::binary_search(s.services.begin(), s.services.end(), svc)) return false;
  }
  return true;
}

bool SpanMatchesQuery(const TraceQuery& q, const StoredSpan& s) {
  if (s.start_ns < q.start_time_min_ns || s.start_ns > q.start_time_max_ns) return false;
  if (q.min_span_duration_ns && s.duration_ns < q.min_span_duration_ns) return false;
  if (q.max_span_duration_ns && s.duration_ns > q.max_span_duration_ns) return false;
  if (!q.service.empty() && s.service != q.service) return false;
  if (!q.operation.empty() && s.operation != q.operation) return false;
  for (const auto& [k, v] : q.tags) {
    if (!SpanMatchesTag(s, k, v)) return false;
  }
  return true;
}

bool HasSpanConditions(const TraceQuery& q) {
  return !q.service.empty() || !q.operation.empty() || !q.tags.empty() || q.min_span_duration_ns != 0 ||
         q.max_span_duration_ns != 0;
}

}  // namespace callpath::store
