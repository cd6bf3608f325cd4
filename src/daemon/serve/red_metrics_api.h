// The RED metrics endpoints of the query port, answered from the store's
// statistics (query/red_metrics.h):
//
//   GET /api/v1/metrics?service=S[&operation=O][&kind=K]&start=&end=&step=
//       calls, rate, errors, error rate and p50/p90/p99 of duration per step
//   GET /api/metrics/latencies|calls|errors?service=...&groupByOperation=
//       &quantile=&endTs=&lookback=&step=&ratePer=&spanKind=
//       Jaeger's monitor API (the Jaeger UI's Monitor tab), in the
//       MetricFamily JSON its query service answers
//   GET /api/metrics/minstep   the smallest step, in ms (one minute)
//   GET /api/v1/top?since=15m[&service=S][&end=]
//       services (or a service's operations) with their figures in the
//       window and in the window before it (`callpath top`)
//
// Bad parameters are 400: {"error","status"} on the native path, Jaeger's
// {"data":null,...,"errors":[{"code","msg"}]} on the Jaeger paths.
#pragma once

#include <cstdint>
#include <string_view>

#include "daemon/receive/http_types.h"
#include "store/store.h"

namespace callpath::daemon {

HttpResponse ServeNativeMetrics(store::Store& store, std::string_view query_string, uint64_t now_ns);
HttpResponse ServeTop(store::Store& store, std::string_view query_string, uint64_t now_ns);

// `rest` is the path after "/api/metrics/".
HttpResponse ServeJaegerMetrics(store::Store& store, std::string_view rest, std::string_view query_string,
                                uint64_t now_ns);

}  // namespace callpath::daemon
