// DiagnoseStore: the statistics, call graph and trace samples of a window
// and its baseline read from a store, and example traces for each cause.
#include <algorithm>
#include <map>
#include <set>

#include "analyze/diagnose.h"
#include "analyze/diagnose_edges.h"
#include "analyze/diagnose_rank.h"

namespace callpath::analyze {
namespace {

uint64_t FloorMinute(uint64_t ns) { return ns - ns % store::kStatsBucketNs; }

Status CheckWindows(TimeWindow window, TimeWindow baseline) {
  if (window.length_ns() == 0) return InvalidArgument("the window is empty: its start must be before its end");
  if (baseline.length_ns() == 0) return InvalidArgument("the baseline is empty: its start must be before its end");
  if (baseline.start_ns < window.end_ns && window.start_ns < baseline.end_ns) {
    return InvalidArgument("the baseline overlaps the window");
  }
  return Status::Ok();
}

// Statistics are kept per minute: a baseline that ends inside the window's
// first minute would count that minute twice, so it ends at the minute's
// start when it still has some length then.
TimeWindow StatsBaseline(TimeWindow window, TimeWindow baseline) {
  if (baseline.end_ns <= window.start_ns && baseline.end_ns > FloorMinute(window.start_ns)) {
    uint64_t end = FloorMinute(window.start_ns);
    if (end > baseline.start_ns) baseline.end_ns = end;
  }
  return baseline;
}

Status ReadStats(store::StatsReader& stats, TimeWindow w, std::vector<store::OperationStats>* ops,
                 std::vector<store::LogTemplateStats>* logs) {
  store::StatsQuery q;
  q.start_ns = w.start_ns;
  q.end_ns = w.end_ns;
  auto o = stats.Operations(q);
  if (!o.ok()) return o.status();
  *ops = std::move(o).value();
  auto l = stats.LogTemplates(q);
  if (!l.ok()) return l.status();
  *logs = std::move(l).value();
  return Status::Ok();
}

// Traces spread over `slices` stretches of `w`: their cross-service gaps,
// the self times of spans calling other services directly, and the service
// pairs they show (into `links`).
Status SampleTraces(store::SpanReader& spans, TimeWindow w, const DiagnoseStoreOptions& options,
                    std::vector<EdgeGapSample>* gaps, std::vector<SelfTimeSample>* self,
                    std::map<std::pair<std::string, std::string>, uint64_t>* links) {
  size_t slices = std::max<size_t>(1, options.sample_slices);
  size_t per_slice = options.sample_traces / slices;
  if (per_slice == 0) return Status::Ok();
  uint64_t step = std::max<uint64_t>(1, w.length_ns() / slices);
  for (size_t k = 0; k < slices; ++k) {
    store::TraceQuery q;
    q.start_time_min_ns = w.start_ns + k * step;
    q.start_time_max_ns = std::min(w.end_ns, q.start_time_min_ns + step) - 1;
    q.limit = per_slice;
    auto found = spans.FindTraces(q);
    if (!found.ok()) return found.status();
    for (const auto& summary : found.value()) {
      auto trace = spans.GetTrace(summary.trace_id);
      if (!trace.ok()) continue;  // removed by retention since: a sample less
      query::AssembledTrace t = query::AssembleTrace(std::move(trace).value());
      CollectEdgeGaps(t, gaps);
      CollectDirectCallerSelfTimes(t, self);
      for (size_t i = 0; i < t.spans.size(); ++i) {
        int p = t.parent[i];
        if (p >= 0 && t.spans[p].service != t.spans[i].service) ++(*links)[{t.spans[p].service, t.spans[i].service}];
      }
    }
  }
  return Status::Ok();
}

void AddTraces(const std::vector<store::TraceSummary>& found, size_t n, std::vector<TraceId>* out) {
  for (const auto& s : found) {
    if (out->size() >= n) return;
    if (std::find(out->begin(), out->end(), s.trace_id) == out->end()) out->push_back(s.trace_id);
  }
}

// Traces holding a record of the template; a template that vanished is
// looked up in the baseline, where it still was.
std::vector<TraceId> LogExamples(store::LogReader& logs, const std::string& service, const ExampleQuery& eq,
                                 TimeWindow w, size_t n) {
  store::LogQuery q;
  q.service = service;
  q.text = eq.log_text;
  q.min_severity = eq.log_severity;
  q.start_time_min_ns = w.start_ns;
  q.start_time_max_ns = w.end_ns - 1;
  q.limit = 500;
  std::vector<TraceId> out;
  auto found = logs.SearchLogs(q);
  if (!found.ok()) return out;
  for (const auto& r : found.value()) {
    if (out.size() >= n) break;
    if (!r.trace_id.IsValid() || (r.template_id != 0 && r.template_id != eq.log_template_id)) continue;
    if (std::find(out.begin(), out.end(), r.trace_id) == out.end()) out.push_back(r.trace_id);
  }
  return out;
}

// Up to `n` traces of the cause's service (and operation) in the window:
// for an error cause failing ones first, for a latency cause slow ones
// first, then any; for calls that stopped, the baseline's (the window has
// none).
std::vector<TraceId> Examples(const DiagnoseSources& sources, const std::string& service, const ExampleQuery& eq,
                              TimeWindow window, TimeWindow baseline, size_t n) {
  TimeWindow w = eq.in_baseline ? baseline : window;
  if (eq.log_template_id != 0 && sources.logs) {
    auto out = LogExamples(*sources.logs, service, eq, w, n);
    if (!out.empty() || eq.in_baseline) return out;
  }
  store::TraceQuery q;
  q.service = service;
  q.operation = eq.operation;
  q.start_time_min_ns = w.start_ns;
  q.start_time_max_ns = w.end_ns - 1;
  q.limit = n;
  std::vector<TraceId> out;
  if (eq.errors_only || eq.min_span_duration_ns > 0) {
    store::TraceQuery first = q;
    first.errors_only = eq.errors_only;
    first.min_span_duration_ns = eq.min_span_duration_ns;
    if (auto found = sources.spans->FindTraces(first); found.ok()) AddTraces(found.value(), n, &out);
  }
  if (out.size() < n) {
    if (auto found = sources.spans->FindTraces(q); found.ok()) AddTraces(found.value(), n, &out);
  }
  return out;
}

}  // namespace

Result<Diagnosis> DiagnoseStore(const DiagnoseSources& sources, TimeWindow window, TimeWindow baseline,
                                const DiagnoseStoreOptions& options) {
  CALLPATH_RETURN_IF_ERROR(CheckWindows(window, baseline));
  if (!sources.spans || !sources.stats) return InvalidArgument("diagnose needs a span reader and statistics");
  DiagnoseInput in;
  in.window = window;
  in.baseline = baseline;
  CALLPATH_RETURN_IF_ERROR(ReadStats(*sources.stats, window, &in.window_ops, &in.window_logs));
  CALLPATH_RETURN_IF_ERROR(
      ReadStats(*sources.stats, StatsBaseline(window, baseline), &in.baseline_ops, &in.baseline_logs));
  std::map<std::pair<std::string, std::string>, uint64_t> links;
  CALLPATH_RETURN_IF_ERROR(SampleTraces(*sources.spans, window, options, &in.window_gaps, &in.window_self, &links));
  CALLPATH_RETURN_IF_ERROR(
      SampleTraces(*sources.spans, baseline, options, &in.baseline_gaps, &in.baseline_self, &links));
  for (const auto& [pc, count] : links) in.dependencies.push_back({pc.first, pc.second, count});

  std::vector<ExampleQuery> queries;
  Diagnosis d = DiagnoseWithQueries(in, options.diagnose, &queries);
  size_t n = std::min<size_t>(options.examples, 5);
  for (size_t i = 0; i < d.causes.size() && i < queries.size(); ++i) {
    d.causes[i].example_traces = Examples(sources, d.causes[i].service, queries[i], window, baseline, n);
  }
  return d;
}

}  // namespace callpath::analyze
