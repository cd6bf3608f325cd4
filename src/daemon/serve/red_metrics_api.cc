#include "daemon/serve/red_metrics_api.h"

#include "query/red_metrics.h"
#include "query/render.h"
#include "text/json_writer.h"

namespace callpath::daemon {

namespace {

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

// The native API's error shape (as query_api.cc answers).
HttpResponse NativeError(int status, std::string_view message) {
  text::JsonWriter w;
  w.BeginObject();
  w.Field("error", message);
  w.FieldInt("status", status);
  w.EndObject();
  return Json(status, w.Take());
}

int StatusOf(const Status& s) { return s.code() == StatusCode::kInvalidArgument ? 400 : 500; }

}  // namespace

HttpResponse ServeNativeMetrics(store::Store& store, std::string_view query_string, uint64_t now_ns) {
  auto q = query::ParseNativeMetricsParams(query_string, now_ns);
  if (!q.ok()) return NativeError(400, q.status().message());
  auto points = query::ReadRedSeries(store.stats_reader(), *q);
  if (!points.ok()) return NativeError(StatusOf(points.status()), points.status().message());
  return Json(200, query::RenderNativeMetrics(*q, *points));
}

HttpResponse ServeTop(store::Store& store, std::string_view query_string, uint64_t now_ns) {
  auto q = query::ParseTopParams(query_string, now_ns);
  if (!q.ok()) return NativeError(400, q.status().message());
  auto rows = query::ReadTop(store.stats_reader(), *q);
  if (!rows.ok()) return NativeError(StatusOf(rows.status()), rows.status().message());
  return Json(200, query::RenderTop(*q, *rows));
}

HttpResponse ServeJaegerMetrics(store::Store& store, std::string_view rest, std::string_view query_string,
                                uint64_t now_ns) {
  if (rest == "minstep") return Json(200, query::RenderJaegerMinStep());
  query::JaegerMetric metric;
  if (rest == "latencies") {
    metric = query::JaegerMetric::kLatencies;
  } else if (rest == "calls") {
    metric = query::JaegerMetric::kCalls;
  } else if (rest == "errors") {
    metric = query::JaegerMetric::kErrors;
  } else {
    return Json(404, query::RenderJaegerError(404, "unknown metrics path /api/metrics/" + std::string(rest)));
  }
  auto q = query::ParseJaegerMetricsParams(metric, query_string, now_ns);
  if (!q.ok()) return Json(400, query::RenderJaegerError(400, q.status().message()));
  auto body = query::ReadJaegerMetrics(store.stats_reader(), *q);
  if (!body.ok()) return Json(StatusOf(body.status()), query::RenderJaegerError(StatusOf(body.status()), body.status().message()));
  return Json(200, std::move(*body));
}

}  // namespace callpath::daemon
