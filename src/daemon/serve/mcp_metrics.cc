// get_service_metrics: RED figures (rate, errors, duration quantiles) per
// service (its server and consumer spans: the requests it answers) or per
// operation of one service, over a window, from the
// statistics the store keeps at ingest (store/stats.h) - no span is read.
#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "daemon/serve/mcp_tool_support.h"
#include "query/params.h"
#include "query/render_util.h"

namespace callpath::daemon::mcp {
namespace {

struct Row {
  std::string service;
  std::string operation;  // "" when the row is a whole service
  std::string kind;       // "" likewise
  uint64_t calls = 0;
  uint64_t errors = 0;
  store::LatencySketch duration;
};

// Rounded to 3 decimals: figures for reading, not for further arithmetic.
double Round3(double v) { return static_cast<double>(static_cast<int64_t>(v * 1000 + 0.5)) / 1000; }

std::string RowJson(const Row& r, double seconds) {
  text::JsonWriter w;
  w.BeginObject();
  w.Field("service", Clip(r.service, 256));
  w.Field("operation", Clip(r.operation, 512));
  w.Field("kind", r.kind);
  w.FieldUint("calls", r.calls);
  w.Key("rate_per_s");
  w.Double(Round3(seconds > 0 ? static_cast<double>(r.calls) / seconds : 0));
  w.FieldUint("errors", r.errors);
  w.Key("error_rate");
  w.Double(Round3(r.calls ? static_cast<double>(r.errors) / static_cast<double>(r.calls) : 0));
  for (auto [name, q] : {std::pair{"p50_ns", 0.5}, std::pair{"p90_ns", 0.9}, std::pair{"p99_ns", 0.99}}) {
    w.FieldUint(name, r.duration.Quantile(q));
  }
  w.EndObject();
  return w.Take();
}

}  // namespace

Result<std::string> ServiceMetricsContent(store::Store& store, const Args& args, size_t budget, uint64_t now_ns) {
  std::string qs;
  AppendParam(qs, "lookback", Arg(args, "lookback", "15m"));
  CALLPATH_RETURN_IF_ERROR(AppendTimeParam(qs, args, "start"));
  CALLPATH_RETURN_IF_ERROR(AppendTimeParam(qs, args, "end"));
  auto window = query::ParseDependencyWindow(qs, now_ns);  // the same start/end/lookback rules
  if (!window.ok()) return AsArgumentError(window.status());
  std::string service = Arg(args, "service");
  std::string operation = Arg(args, "operation");
  if (!operation.empty() && service.empty()) {
    return InvalidArgument("argument operation needs argument service; fix the call and call again");
  }
  store::StatsQuery q;
  q.start_ns = window->start_ns;
  q.end_ns = window->end_ns;
  q.service = service;
  q.operation = operation;
  auto stats = store.stats_reader().Operations(q);
  if (!stats.ok()) return stats.status();

  // Per operation of one service, or per service: the requests it answers
  // (server and consumer spans), or all its spans when it answers none.
  auto answers = [](const store::OperationStats& s) {
    return s.kind == store::SpanKind::kServer || s.kind == store::SpanKind::kConsumer;
  };
  std::map<std::string, bool> has_answers;
  for (const store::OperationStats& s : *stats) has_answers[s.service] |= answers(s);
  std::map<std::tuple<std::string, std::string, std::string>, Row> rows;
  for (const store::OperationStats& s : *stats) {
    bool by_operation = !service.empty();
    if (!by_operation && has_answers[s.service] && !answers(s)) continue;
    std::string kind(by_operation ? store::SpanKindName(s.kind) : "");
    Row& r = rows[{s.service, by_operation ? s.operation : "", kind}];
    r.service = s.service;
    if (by_operation) r.operation = s.operation, r.kind = kind;
    r.calls += s.calls;
    r.errors += s.errors;
    r.duration.Merge(s.duration);
  }
  std::vector<const Row*> ordered;
  for (const auto& [key, r] : rows) ordered.push_back(&r);
  // Busiest first; the key order breaks ties, so the answer is stable.
  std::stable_sort(ordered.begin(), ordered.end(), [](const Row* a, const Row* b) { return a->calls > b->calls; });

  double seconds = static_cast<double>(window->end_ns - window->start_ns) / 1e9;
  BoundedItems items(budget - 1024);
  for (const Row* r : ordered) items.Add(RowJson(*r, seconds));
  text::JsonWriter w;
  w.BeginObject();
  w.Field("start_time", query::detail::Rfc3339Nanos(window->start_ns));
  w.Field("end_time", query::detail::Rfc3339Nanos(window->end_ns));
  items.Write("rows", w);
  w.FieldUint("total_count", ordered.size());
  w.FieldBool("truncated", items.count() < ordered.size());
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::daemon::mcp
