// What it means for a summary or a span to match a TraceQuery (store.h),
// written once so that every backend and every caller that filters after
// reading (query/trace_search.h) agree.
#pragma once

#include "store/store.h"

namespace callpath::store {

// The trace-level conditions: errors_only, min/max_trace_duration_ns and
// services_all, against a summary (its `services` sorted, as stored).
bool SummaryMatchesTraceLevel(const TraceQuery& query, const TraceSummary& summary);

// Every span-level condition at once on one span: its start in the time
// range, its duration within the bounds, service, operation and every tag
// (SpanMatchesTag; resource tags need span.resource_attributes filled in).
bool SpanMatchesQuery(const TraceQuery& query, const StoredSpan& span);

// True when `query` has a span-level condition besides the time range.
bool HasSpanConditions(const TraceQuery& query);

}  // namespace callpath::store
