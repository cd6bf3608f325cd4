// The cause-finding tools: explain_trace, diagnose and compare_traces give
// the same documents as the native API's explain, diagnose and compare
// (src/analyze renders them), cut to the result budget: the least likely
// causes and the smallest span differences go first, and the answer says
// how many there were.
#include <algorithm>
#include <string>
#include <vector>

#include "analyze/baseline.h"
#include "analyze/compare.h"
#include "analyze/diagnose.h"
#include "analyze/explain.h"
#include "analyze/render_causes.h"
#include "daemon/serve/mcp_tool_support.h"
#include "daemon/serve/query_api_v3.h"
#include "query/params.h"
#include "query/params_analyze.h"

namespace callpath::daemon::mcp {
namespace {

// `object` (a JSON object) with total_count, returned_count and truncated
// added at its end: the list counts every tool answer carries.
std::string WithListCounts(std::string object, size_t total, size_t returned) {
  object.pop_back();  // the closing brace
  object += ",\"total_count\":" + std::to_string(total) + ",\"returned_count\":" + std::to_string(returned) +
            ",\"truncated\":" + (returned < total ? "true" : "false") + "}";
  return object;
}

// Renders with the first `keep` items of a list, halving `keep` until the
// document fits `budget`; an error when not even one item fits.
template <typename Render>
Result<std::string> FitToBudget(size_t total, size_t budget, Render render) {
  size_t keep = total;
  while (true) {
    std::string doc = WithListCounts(render(keep), total, keep);
    if (doc.size() <= budget) return doc;
    if (keep == 0) break;
    keep /= 2;
  }
  return InvalidArgument("the answer does not fit the result budget even without its list; "
                         "raise --mcp-result-bytes or narrow the call");
}

Result<TraceId> TraceIdArg(const Args& args, std::string_view name) {
  std::string hex = Arg(args, name);
  auto id = ParseTraceIdInUrl(hex);
  if (!id) {
    return InvalidArgument("argument " + std::string(name) + ": '" + Clip(hex, 64) +
                           "' is not a trace id: want 1 to 32 hex digits, not all zero (search_traces lists ids)");
  }
  return *id;
}

Result<std::vector<store::StoredLog>> TraceLogs(store::Store& store, const TraceId& id) {
  return store.log_reader().LogsForTrace(id);
}

}  // namespace

Result<std::string> ExplainTraceContent(store::Store& store, const Args& args, size_t budget,
                                        const query::AssembleOptions& assemble) {
  auto trace = LoadTrace(store, args, assemble);
  if (!trace.ok()) return trace.status();
  auto logs = TraceLogs(store, trace->trace_id);
  if (!logs.ok()) return logs.status();
  auto baseline = analyze::LoadBaseline(store, trace.value());
  if (!baseline.ok()) return baseline.status();
  analyze::ExplainReport report = analyze::Explain(trace.value(), logs.value(), baseline.value());
  const std::vector<analyze::Cause> all = report.causes;
  return FitToBudget(all.size(), budget, [&](size_t keep) {
    report.causes.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep));
    return analyze::RenderExplainJson(report);
  });
}

Result<std::string> DiagnoseContent(store::Store& store, const Args& args, size_t budget, uint64_t now_ns) {
  std::string qs;
  for (std::string_view name : {"start", "end", "baseline_start", "baseline_end"}) {
    CALLPATH_RETURN_IF_ERROR(AppendTimeParam(qs, args, name));
  }
  if (Arg(args, "start").empty()) {
    // The window is `lookback` long and ends at `end` (default now).
    uint64_t end = now_ns;
    if (std::string e = Arg(args, "end"); !e.empty()) {
      auto t = query::ParseNativeTime("end", e, now_ns);
      if (!t.ok()) return AsArgumentError(t.status());
      end = *t;
    }
    auto lookback = query::ParseDuration(Arg(args, "lookback", "15m"));
    if (!lookback.ok()) return AsArgumentError(InvalidArgument("parameter lookback: " + lookback.status().message()));
    AppendParam(qs, "start", std::to_string(*lookback < end ? end - *lookback : 0));
  }
  if (std::string s = Arg(args, "service"); !s.empty()) AppendParam(qs, "service", s);
  auto p = query::ParseDiagnoseParams(qs, now_ns);
  if (!p.ok()) return AsArgumentError(p.status());
  analyze::DiagnoseSources sources{&store.span_reader(), &store.log_reader(), &store.stats_reader()};
  analyze::DiagnoseStoreOptions options;
  options.diagnose.service = p->service;
  auto d = analyze::DiagnoseStore(sources, {p->start_ns, p->end_ns}, {p->baseline_start_ns, p->baseline_end_ns},
                                  options);
  if (!d.ok()) {
    if (d.status().code() == StatusCode::kInvalidArgument) return AsArgumentError(d.status());
    return d.status();
  }
  analyze::Diagnosis diagnosis = std::move(d).value();
  const std::vector<analyze::Cause> all = diagnosis.causes;
  return FitToBudget(all.size(), budget, [&](size_t keep) {
    diagnosis.causes.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep));
    return analyze::RenderDiagnosis(diagnosis);
  });
}

Result<std::string> CompareTracesContent(store::Store& store, const Args& args, size_t budget,
                                         const query::AssembleOptions& assemble) {
  auto a_id = TraceIdArg(args, "a");
  if (!a_id.ok()) return a_id.status();
  auto b_id = TraceIdArg(args, "b");
  if (!b_id.ok()) return b_id.status();
  Args a_args{{"trace_id", a_id->ToHex()}}, b_args{{"trace_id", b_id->ToHex()}};
  auto a = LoadTrace(store, a_args, assemble);
  if (!a.ok()) return a.status();
  auto b = LoadTrace(store, b_args, assemble);
  if (!b.ok()) return b.status();
  auto a_logs = TraceLogs(store, a->trace_id);
  if (!a_logs.ok()) return a_logs.status();
  auto b_logs = TraceLogs(store, b->trace_id);
  if (!b_logs.ok()) return b_logs.status();
  analyze::TraceComparison c = analyze::CompareTraces(a.value(), a_logs.value(), b.value(), b_logs.value());
  const std::vector<analyze::SpanDifference> all = c.spans;
  return FitToBudget(all.size(), budget, [&](size_t keep) {
    c.spans.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep));
    return analyze::RenderComparison(c, a.value(), b.value());
  });
}

}  // namespace callpath::daemon::mcp
