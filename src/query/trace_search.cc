#include "query/trace_search.h"

#include <algorithm>
#include <unordered_set>

#include "store/trace_query_match.h"

namespace callpath::query {
namespace {

struct TraceIdHash {
  size_t operator()(const TraceId& t) const noexcept {
    size_t h = 0;
    for (uint8_t b : t.bytes()) h = h * 131 + b;
    return h;
  }
};

// True when some span of the trace satisfies every span-level condition.
Result<bool> SomeSpanMatches(store::SpanReader& spans, const store::TraceQuery& query, const TraceId& id) {
  auto trace = spans.GetTrace(id);
  if (!trace.ok()) {
    if (trace.status().code() == StatusCode::kNotFound) return false;
    return trace.status();
  }
  return std::any_of(trace->begin(), trace->end(),
                     [&](const store::StoredSpan& s) { return store::SpanMatchesQuery(query, s); });
}

}  // namespace

Result<std::vector<store::TraceSummary>> FindTracesWithLogs(store::SpanReader& spans, store::LogReader& logs,
                                                            const store::TraceQuery& query,
                                                            const LogCondition& condition, size_t log_scan_cap) {
  if (!condition.active()) return spans.FindTraces(query);
  const size_t limit = query.limit == 0 ? 20 : query.limit;

  store::LogQuery lq;
  lq.text = condition.text;
  lq.min_severity = condition.min_severity;
  lq.start_time_min_ns = query.start_time_min_ns;
  lq.start_time_max_ns = query.start_time_max_ns;
  lq.limit = log_scan_cap;
  auto records = logs.SearchLogs(lq);
  if (!records.ok()) return records.status();

  const bool check_spans = store::HasSpanConditions(query);
  std::vector<store::TraceSummary> out;
  std::unordered_set<TraceId, TraceIdHash> seen;
  for (const store::StoredLog& rec : *records) {
    if (out.size() >= limit) break;
    if (!rec.trace_id.IsValid() || !seen.insert(rec.trace_id).second) continue;
    auto summary = spans.GetTraceSummary(rec.trace_id);
    if (!summary.ok()) {
      if (summary.status().code() == StatusCode::kNotFound) continue;  // logs whose spans never arrived
      return summary.status();
    }
    if (!store::SummaryMatchesTraceLevel(query, *summary)) continue;
    if (check_spans) {
      // The summary rules a trace out cheaply before its spans are read.
      if (!query.service.empty() &&
          !std::binary_search(summary->services.begin(), summary->services.end(), query.service)) {
        continue;
      }
      auto match = SomeSpanMatches(spans, query, rec.trace_id);
      if (!match.ok()) return match.status();
      if (!*match) continue;
    } else if (summary->start_ns > query.start_time_max_ns || summary->end_ns() < query.start_time_min_ns) {
      continue;
    }
    out.push_back(std::move(summary).value());
  }
  return out;
}

}  // namespace callpath::query
