// GET /api/v1/top: RED figures of a window and of the window before it
// (red_metrics.h), for `callpath top`.
#include <algorithm>
#include <map>
#include <tuple>

#include "query/params.h"
#include "query/red_metrics.h"
#include "query/render_util.h"

namespace callpath::query {

namespace {

constexpr uint64_t kMinuteNs = store::kStatsBucketNs;

bool ServesRequests(store::SpanKind k) { return k == store::SpanKind::kServer || k == store::SpanKind::kConsumer; }

void Add(const store::OperationStats& r, TopFigures* f) {
  f->calls += r.calls;
  f->errors += r.errors;
  f->duration.Merge(r.duration);
}

void WriteFigures(JsonWriter& w, const TopFigures& f) {
  w.FieldUint("calls", f.calls);
  w.Key("rate_per_second");
  w.Double(f.rate_per_second);
  w.FieldUint("errors", f.errors);
  w.Key("error_rate");
  w.Double(f.calls ? static_cast<double>(f.errors) / static_cast<double>(f.calls) : 0);
  w.Key("p99_ms");
  if (f.calls) w.Double(static_cast<double>(f.duration.Quantile(0.99)) / 1e6); else w.Null();
}

}  // namespace

Result<TopQuery> ParseTopParams(std::string_view qs, uint64_t now_ns) {
  TopQuery q;
  q.end_ns = now_ns;
  q.window_ns = 15 * kMinuteNs;
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "service") {
      q.service = v;
    } else if (k == "since") {
      auto d = ParseDuration(v);
      if (!d.ok()) return InvalidArgument("parameter since: " + d.status().message());
      if (*d == 0 || *d > 366 * 24 * 60 * kMinuteNs) return InvalidArgument("parameter since: must be 1m to 366d");
      q.window_ns = (*d + kMinuteNs - 1) / kMinuteNs * kMinuteNs;
    } else if (k == "end") {
      auto e = ParseNativeTime("end", v, now_ns);
      if (!e.ok()) return e.status();
      q.end_ns = *e;
    } else {
      return InvalidArgument("unknown parameter '" + k + "'");
    }
  }
  if (q.end_ns < 2 * q.window_ns) return InvalidArgument("parameter end: too early for two windows of since");
  return q;
}

Result<std::vector<TopRow>> ReadTop(store::StatsReader& stats, const TopQuery& q) {
  const uint64_t start = q.end_ns - q.end_ns % kMinuteNs + kMinuteNs - q.window_ns;
  const uint64_t before = start - q.window_ns;
  store::StatsQuery sq;
  sq.start_ns = before;
  sq.end_ns = q.end_ns;
  sq.service = q.service;
  sq.step_ns = q.window_ns;  // two steps: [before, start) and [start, end)
  auto rows = stats.Operations(sq);
  if (!rows.ok()) return rows.status();

  // Services with spans that serve requests count only those.
  std::map<std::string, bool> serves;
  for (const store::OperationStats& r : *rows) serves[r.service] |= ServesRequests(r.kind);
  std::map<std::tuple<std::string, std::string, int>, TopRow> merged;
  for (const store::OperationStats& r : *rows) {
    const bool by_operation = !q.service.empty();
    if (!by_operation && serves[r.service] && !ServesRequests(r.kind)) continue;
    TopRow& row = merged[{r.service, by_operation ? r.operation : "", by_operation ? static_cast<int>(r.kind) : -1}];
    row.service = r.service;
    if (by_operation) {
      row.operation = r.operation;
      row.kind = store::SpanKindName(r.kind);
    }
    Add(r, r.start_ns >= start ? &row.now : &row.before);
  }
  const double now_seconds = static_cast<double>(std::max<uint64_t>(q.end_ns - start, 1)) / 1e9;
  const double before_seconds = static_cast<double>(q.window_ns) / 1e9;
  std::vector<TopRow> out;
  for (auto& [key, row] : merged) {
    row.now.rate_per_second = static_cast<double>(row.now.calls) / now_seconds;
    row.before.rate_per_second = static_cast<double>(row.before.calls) / before_seconds;
    out.push_back(std::move(row));
  }
  std::stable_sort(out.begin(), out.end(), [](const TopRow& a, const TopRow& b) { return a.now.calls > b.now.calls; });
  return out;
}

std::string RenderTop(const TopQuery& q, const std::vector<TopRow>& rows) {
  const uint64_t start = q.end_ns - q.end_ns % kMinuteNs + kMinuteNs - q.window_ns;
  JsonWriter w;
  w.BeginObject();
  w.Key("service");
  if (q.service.empty()) w.Null(); else w.String(q.service);
  w.FieldUint("start_ns", start);
  w.FieldUint("end_ns", q.end_ns);
  w.FieldUint("window_ns", q.window_ns);
  w.Key("rows");
  w.BeginArray();
  for (const TopRow& r : rows) {
    w.BeginObject();
    w.Field("service", r.service);
    w.Key("operation");
    if (r.operation.empty()) w.Null(); else w.String(r.operation);
    w.Key("kind");
    if (r.kind.empty()) w.Null(); else w.String(r.kind);
    WriteFigures(w, r.now);
    w.Key("previous");
    w.BeginObject();
    WriteFigures(w, r.before);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::query
