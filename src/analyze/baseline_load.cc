// LoadBaseline: the statistics window before a trace, and a few healthy
// traces like it, read from the store.
#include <algorithm>
#include <set>

#include "analyze/baseline.h"

namespace callpath::analyze {

namespace {

// Summaries of recent traces with the trace's root operation: the nearest
// before it first (newest first), then those after it (oldest first).
// Failed ones are kept: an error that healthy traffic also has (a cache
// miss answered 404) must show in the baseline's error rate; medians and
// the thresholds of presence stand a few faulty references.
Result<std::vector<store::TraceSummary>> FindReferences(store::Store& store, const query::AssembledTrace& trace,
                                                        const BaselineLoadOptions& o) {
  const auto& root = trace.spans[static_cast<size_t>(trace.root)];
  uint64_t start = trace.start_ns();
  std::vector<store::TraceSummary> out;
  for (bool before : {true, false}) {
    store::TraceQuery q;
    q.service = root.service;
    q.operation = root.operation;
    q.start_time_min_ns = before ? (start > o.window_ns ? start - o.window_ns : 0) : start;
    q.start_time_max_ns = before ? (start > 0 ? start - 1 : 0) : trace.end_ns() + o.window_ns;
    q.limit = std::max<size_t>(20, o.max_reference_traces * 3);
    auto found = store.span_reader().FindTraces(q);
    if (!found.ok()) return found.status();
    std::vector<store::TraceSummary> part;
    for (auto& s : found.value()) {
      if (s.trace_id == trace.trace_id || s.span_count == 0) continue;
      if (s.has_root && (s.root_service != root.service || s.root_operation != root.operation)) continue;
      part.push_back(std::move(s));
    }
    std::stable_sort(part.begin(), part.end(), [&](const auto& a, const auto& b) {
      return before ? a.start_ns > b.start_ns : a.start_ns < b.start_ns;
    });
    for (auto& s : part) {
      bool seen = std::any_of(out.begin(), out.end(), [&](const auto& x) { return x.trace_id == s.trace_id; });
      if (!seen) out.push_back(std::move(s));
    }
    if (out.size() >= o.max_reference_traces) break;
  }
  return out;
}

Result<Baseline> ReferenceBaseline(store::Store& store, const query::AssembledTrace& trace,
                                   const BaselineLoadOptions& o) {
  auto found = FindReferences(store, trace, o);
  if (!found.ok()) return found.status();
  std::vector<query::AssembledTrace> traces;
  std::vector<std::vector<store::StoredLog>> logs;
  size_t spans = 0;
  for (const auto& s : found.value()) {
    if (traces.size() >= o.max_reference_traces) break;
    if (spans + s.span_count > o.max_reference_spans) continue;
    auto got = store.span_reader().GetTrace(s.trace_id);
    if (!got.ok()) {
      if (got.status().code() == StatusCode::kNotFound) continue;  // removed by retention meanwhile
      return got.status();
    }
    auto trace_logs = store.log_reader().LogsForTrace(s.trace_id);
    if (!trace_logs.ok()) return trace_logs.status();
    spans += got.value().size();
    traces.push_back(query::AssembleTrace(std::move(got).value()));
    logs.push_back(std::move(trace_logs).value());
  }
  return BaselineFromTraces(traces, logs);
}

// The statistics of the trace's services over the window.
Result<Baseline> StatsBaseline(store::Store& store, const query::AssembledTrace& trace, uint64_t start_ns,
                               uint64_t end_ns) {
  std::vector<store::OperationStats> operations;
  std::vector<store::LogTemplateStats> templates;
  std::set<std::string> services;
  for (const auto& s : trace.spans) services.insert(s.service);
  for (const auto& service : services) {
    store::StatsQuery q;
    q.start_ns = start_ns;
    q.end_ns = end_ns;
    q.service = service;
    auto ops = store.stats_reader().Operations(q);
    if (!ops.ok()) return ops.status();
    auto logs = store.stats_reader().LogTemplates(q);
    if (!logs.ok()) return logs.status();
    operations.insert(operations.end(), ops.value().begin(), ops.value().end());
    templates.insert(templates.end(), logs.value().begin(), logs.value().end());
  }
  return BaselineFromStats(operations, templates, start_ns, end_ns);
}

}  // namespace

Result<Baseline> LoadBaseline(store::Store& store, const query::AssembledTrace& trace,
                              const BaselineLoadOptions& o) {
  if (trace.root < 0) return Baseline{};
  uint64_t start = trace.start_ns();
  uint64_t minute = start - start % store::kStatsBucketNs;
  auto stats = StatsBaseline(store, trace, minute > o.window_ns ? minute - o.window_ns : 0, minute);
  if (!stats.ok()) return stats.status();
  auto services = store.span_reader().GetServices();
  if (!services.ok()) return services.status();
  auto refs = ReferenceBaseline(store, trace, o);
  if (!refs.ok()) return refs.status();
  Baseline merged = MergeBaselines(std::move(stats).value(), refs.value());
  merged.known_services.insert(services.value().begin(), services.value().end());
  return merged;
}

}  // namespace callpath::analyze
