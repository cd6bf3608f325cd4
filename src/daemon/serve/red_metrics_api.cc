#include "daemon/serve/red_metrics_api.h"
#include "daemon/serve/native_response.h"

#include "query/red_metrics.h"
#include "query/render.h"
#include "text/json_writer.h"

namespace callpath::daemon {

namespace {

int StatusOf(const Status& s) { return s.code() == StatusCode::kInvalidArgument ? 400 : 500; }

}  // namespace

HttpResponse ServeNativeMetrics(store::Store& store, std::string_view query_string, uint64_t now_ns) {
  auto q = query::ParseNativeMetricsParams(query_string, now_ns);
  if (!q.ok()) return NativeError(400, q.status().message());
  auto points = query::ReadRedSeries(store.stats_reader(), *q);
  if (!points.ok()) return NativeError(StatusOf(points.status()), points.status().message());
  return JsonResponse(200, query::RenderNativeMetrics(*q, *points));
}

HttpResponse ServeTop(store::Store& store, std::string_view query_string, uint64_t now_ns) {
  auto q = query::ParseTopParams(query_string, now_ns);
  if (!q.ok()) return NativeError(400, q.status().message());
  auto rows = query::ReadTop(store.stats_reader(), *q);
  if (!rows.ok()) return NativeError(StatusOf(rows.status()), rows.status().message());
  return JsonResponse(200, query::RenderTop(*q, *rows));
}

HttpResponse ServeJaegerMetrics(store::Store& store, std::string_view rest, std::string_view query_string,
                                uint64_t now_ns) {
  if (rest == "minstep") return JsonResponse(200, query::RenderJaegerMinStep());
  query::JaegerMetric metric;
  if (rest == "latencies") {
    metric = query::JaegerMetric::kLatencies;
  } else if (rest == "calls") {
    metric = query::JaegerMetric::kCalls;
  } else if (rest == "errors") {
    metric = query::JaegerMetric::kErrors;
  } else {
    return JsonResponse(404, query::RenderJaegerError(404, "unknown metrics path /api/metrics/" + std::string(rest)));
  }
  auto q = query::ParseJaegerMetricsParams(metric, query_string, now_ns);
  if (!q.ok()) return JsonResponse(400, query::RenderJaegerError(400, q.status().message()));
  auto body = query::ReadJaegerMetrics(store.stats_reader(), *q);
  if (!body.ok()) return JsonResponse(StatusOf(body.status()), query::RenderJaegerError(StatusOf(body.status()), body.status().message()));
  return JsonResponse(200, std::move(*body));
}

}  // namespace callpath::daemon
