// The HTTP query API on the query port (default 16686), over callpath::query
// and the store's readers:
//
//   native     GET /api/v1/traces/{id}        spans (assembled) + logs
//              GET /api/v1/traces/{id}/explain why it failed or was slow
//                                             (explain_api.h)
//              GET /api/v1/search?...          trace summaries
//              GET /api/v1/services
//              GET /api/v1/operations?service=
//              GET /api/v1/logs?...
//              GET /api/v1/dependencies?start=&end=|lookback=
//              GET /api/v1/metrics?service=&operation=&kind=&start=&end=&step=
//                  RED metrics per step (red_metrics_api.h)
//              GET /api/v1/top?since=&service=   this window against the last
//   Jaeger     GET /api/services, /api/services/{s}/operations,
//              /api/operations?service=&spanKind=, /api/traces?...,
//              /api/traces/{id}, /api/dependencies?endTs=&lookback=
//              /api/metrics/{latencies,calls,errors,minstep} (the monitor
//              API, red_metrics_api.h)
//              not kept (Jaeger's 501 error shape):
//              /api/quality-metrics, /api/deep-dependencies,
//              POST /api/archive/{id}, POST /api/transform
//   api_v3     GET /api/v3/traces/{id}, /api/v3/traces?query.serviceName=...,
//              /api/v3/trace-summaries?query.*, /api/v3/services,
//              /api/v3/operations?service= (query_api_v3.h)
//   MCP        POST/DELETE /api/mcp: the Model Context Protocol endpoint
//              for agents (mcp_server.h, tools in mcp_tools.h)
//   UI         everything else: static files from the UI directory (unknown
//              paths get index.html for the single-page app), or an
//              embedded page when no UI was built.
//
// Every trace endpoint takes ?adjust_skew=false (the Jaeger API also
// raw=true) to show the spans as their clocks put them; the maximum shift
// is McpOptions::assemble's. Bad parameters -> 400 with a JSON error;
// unknown trace -> 404. Store reads
// run on the API's own worker threads, never on the server threads.
//
// Tenants: every request reads the store of its own tenant only
// (HttpRequest::tenant, from its key or a trusted proxy; query_tenants.h),
// so another tenant's trace id is "not found" exactly as an unknown one.
// A tenant with as many queries in progress as its limit allows gets 429
// + Retry-After; a query that is not answered within the tenant's time
// limit gets 504 with the reason.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "daemon/metrics.h"
#include "daemon/receive/http_types.h"
#include "daemon/receive/otlp_http_receiver.h"
#include "daemon/serve/mcp_server.h"
#include "daemon/serve/query_tenants.h"
#include "store/store.h"

namespace callpath::daemon {

class QueryApi {
 public:
  // `tenants` and `metrics` must outlive the API. `ui_dir` may be empty or
  // missing: the embedded page is served then. `mcp` configures the
  // /api/mcp endpoint.
  QueryApi(QueryTenants& tenants, DaemonMetrics& metrics, std::string ui_dir, OpsHandler ops,
           int worker_threads = 2, McpOptions mcp = {});
  ~QueryApi();  // finishes queued requests, joins the workers

  void Handle(HttpRequest&& req, Responder respond);

  // For HttpServer: errors found while reading the request (JSON).
  static HttpResponse ErrorResponse(int http_status, std::string_view content_type,
                                    std::string message);

  // Answers one request synchronously from `store` (what the workers run
  // with the request's tenant's store). Public for tests.
  HttpResponse Serve(const HttpRequest& req, store::Store& store);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callpath::daemon
