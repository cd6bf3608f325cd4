#include "daemon/serve/query_api.h"
#include "daemon/serve/native_response.h"

#include <chrono>
#include <map>
#include <optional>

#include "daemon/serve/analyze_api.h"
#include "daemon/serve/query_deadline.h"
#include "store/read_deadline.h"
#include "daemon/serve/explain_api.h"
#include "daemon/serve/query_api_v3.h"
#include "daemon/serve/trace_parts.h"
#include "daemon/serve/red_metrics_api.h"
#include "daemon/serve/ui_assets.h"
#include "daemon/serve/worker_pool.h"
#include "query/assembled_trace.h"
#include "query/params.h"
#include "query/render.h"
#include "query/skew_params.h"
#include "text/hex.h"
#include "text/json_escape.h"

namespace callpath::daemon {
namespace {

using Params = std::multimap<std::string, std::string>;

constexpr char kJson[] = "application/json";

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Params ParseQuery(std::string_view qs) {
  Params p;
  while (!qs.empty()) {
    size_t amp = qs.find('&');
    std::string_view part = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key = query::UrlDecode(part.substr(0, eq));
    std::string val = eq == std::string_view::npos ? "" : query::UrlDecode(part.substr(eq + 1));
    p.emplace(std::move(key), std::move(val));
  }
  return p;
}

std::string Get(const Params& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = kJson;
  r.body = std::move(body);
  return r;
}

HttpResponse JaegerError(int status, std::string_view message) {
  return Json(status, query::RenderJaegerError(status, message));
}

int StoreErrorCode(const Status& s) {
  return s.code() == StatusCode::kNotFound ? 404 : s.code() == StatusCode::kInvalidArgument ? 400 : 500;
}

HttpResponse StoreError(const Status& s, bool jaeger) {
  return jaeger ? JaegerError(StoreErrorCode(s), s.message()) : NativeError(StoreErrorCode(s), s.message());
}

std::optional<uint64_t> ParseUint(const std::string& s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

struct QueryApi::Impl {
  Impl(QueryTenants& t, DaemonMetrics& m, std::string ui, OpsHandler o, int threads, McpOptions mcp_options)
      : tenants(t), metrics(m), ui_dir(std::move(ui)), ops(std::move(o)), assemble(mcp_options.assemble),
        mcp(mcp_options), pool(threads) {}

  QueryTenants& tenants;
  DaemonMetrics& metrics;
  std::string ui_dir;
  OpsHandler ops;
  query::AssembleOptions assemble;  // the daemon's; a request may turn skew adjustment off
  McpServer mcp;
  QueryDeadlines deadlines;
  WorkerPool pool;  // last: joined first, while the rest is still alive

  // Loads, assembles and returns the traces with the given summaries.
  Result<std::vector<query::AssembledTrace>> LoadTraces(store::Store& store,
                                                        const std::vector<store::TraceSummary>& sums,
                                                        const query::AssembleOptions& options) {
    std::vector<query::AssembledTrace> out;
    out.reserve(sums.size());
    for (const auto& s : sums) {
      auto spans = store.span_reader().GetTrace(s.trace_id);
      if (!spans.ok()) {
        if (spans.status().code() == StatusCode::kNotFound) continue;  // removed by retention
        return spans.status();
      }
      out.push_back(query::AssembleTrace(std::move(spans).value(), options));
    }
    return out;
  }

  HttpResponse Native(store::Store& store, std::string_view path, const HttpRequest& req) {
    std::string_view rest = path.substr(std::string_view("/api/v1/").size());
    uint64_t now = NowNs();
    if (rest.starts_with("traces/") && rest.ends_with("/explain")) {
      return ServeExplain(store, rest.substr(7, rest.size() - 7 - 8), req.query(), assemble);
    }
    if (IsTracePartPath(rest)) return ServeTracePart(store, rest, req.query(), assemble);
    if (rest.starts_with("traces/")) {
      auto id = ParseTraceIdInUrl(rest.substr(7));
      if (!id) return NativeError(400, "trace id must be 1 to 32 hex digits, not all zero");
      auto spans = store.span_reader().GetTrace(*id);
      if (!spans.ok()) {
        if (spans.status().code() == StatusCode::kNotFound) return NativeError(404, "trace not found");
        return StoreError(spans.status(), false);
      }
      auto logs = store.log_reader().LogsForTrace(*id);
      if (!logs.ok()) return StoreError(logs.status(), false);
      auto options = query::ParseSkewParams(req.query(), assemble, false);
      if (!options.ok()) return NativeError(400, options.status().message());
      return Json(200, query::RenderTrace(query::AssembleTrace(std::move(spans).value(), options.value()),
                                          logs.value()));
    }
    if (rest == "search") {
      query::LogCondition log;
      auto q = query::ParseNativeSearchParams(req.query(), now, &log);
      if (!q.ok()) return NativeError(400, q.status().message());
      auto found = query::FindTracesWithLogs(store.span_reader(), store.log_reader(), q.value(), log);
      if (!found.ok()) return StoreError(found.status(), false);
      return Json(200, query::RenderSearch(found.value()));
    }
    if (rest == "services") {
      auto s = store.span_reader().GetServices();
      if (!s.ok()) return StoreError(s.status(), false);
      return Json(200, query::RenderServices(s.value()));
    }
    if (rest == "operations") {
      Params p = ParseQuery(req.query());
      std::string service = Get(p, "service");
      if (service.empty()) return NativeError(400, "parameter 'service' is required");
      std::optional<store::SpanKind> kind;
      if (std::string k = Get(p, "kind"); !k.empty()) {
        store::SpanKind sk;
        if (!store::ParseSpanKind(k, &sk)) return NativeError(400, "parameter 'kind': unknown span kind '" + k + "'");
        kind = sk;
      }
      auto ops_list = store.span_reader().GetOperations(service, kind);
      if (!ops_list.ok()) return StoreError(ops_list.status(), false);
      return Json(200, query::RenderOperations(ops_list.value()));
    }
    if (rest == "logs") {
      auto q = query::ParseLogSearchParams(req.query(), now);
      if (!q.ok()) return NativeError(400, q.status().message());
      auto logs = store.log_reader().SearchLogs(q.value());
      if (!logs.ok()) return StoreError(logs.status(), false);
      return Json(200, query::RenderLogs(logs.value()));
    }
    if (rest == "diagnose") return ServeDiagnose(store, req.query(), now);
    if (rest == "compare") return ServeCompare(store, req.query(), assemble);
    if (rest == "metrics") return ServeNativeMetrics(store, req.query(), now);
    if (rest == "top") return ServeTop(store, req.query(), now);
    if (rest == "dependencies") {
      auto window = query::ParseDependencyWindow(req.query(), now);
      if (!window.ok()) return NativeError(400, window.status().message());
      auto deps = store.span_reader().GetDependencies(window->start_ns, window->end_ns);
      if (!deps.ok()) return StoreError(deps.status(), false);
      return Json(200, query::RenderDependencies(deps.value()));
    }
    return NativeError(404, "unknown API path " + std::string(path));
  }

  HttpResponse Jaeger(store::Store& store, std::string_view path, const HttpRequest& req) {
    std::string_view rest = path.substr(std::string_view("/api/").size());
    uint64_t now = NowNs();
    if (rest == "services") {
      auto s = store.span_reader().GetServices();
      if (!s.ok()) return StoreError(s.status(), true);
      return Json(200, query::RenderJaegerServices(s.value()));
    }
    if (rest.starts_with("services/") && rest.ends_with("/operations")) {
      std::string service = query::UrlDecode(
          rest.substr(9, rest.size() - 9 - std::string_view("/operations").size()));
      auto ops_list = store.span_reader().GetOperations(service, std::nullopt);
      if (!ops_list.ok()) return StoreError(ops_list.status(), true);
      return Json(200, query::RenderJaegerOperations(ops_list.value(), false));
    }
    if (rest == "operations") {
      Params p = ParseQuery(req.query());
      std::string service = Get(p, "service");
      if (service.empty()) return JaegerError(400, "parameter 'service' is required");
      std::optional<store::SpanKind> kind;
      if (std::string k = Get(p, "spanKind"); !k.empty()) {
        store::SpanKind sk;
        if (!store::ParseSpanKind(k, &sk)) return JaegerError(400, "parameter 'spanKind': unknown span kind '" + k + "'");
        kind = sk;
      }
      auto ops_list = store.span_reader().GetOperations(service, kind);
      if (!ops_list.ok()) return StoreError(ops_list.status(), true);
      return Json(200, query::RenderJaegerOperations(ops_list.value(), true));
    }
    auto options = query::ParseSkewParams(req.query(), assemble, true);
    if (!options.ok()) return JaegerError(400, options.status().message());
    if (rest == "traces") {
      // Lookup by id (the Jaeger UI's "trace ID" search and its compare
      // view): ?traceID=a&traceID=b, no other parameter needed.
      Params p = ParseQuery(req.query());
      if (p.count("traceID") > 0) {
        std::vector<query::AssembledTrace> found;
        std::vector<std::string> missing;
        for (auto [it, end] = p.equal_range("traceID"); it != end; ++it) {
          auto id = ParseTraceIdInUrl(it->second);
          if (!id) return JaegerError(400, "cannot parse traceID param '" + it->second + "'");
          auto spans = store.span_reader().GetTrace(*id);
          if (spans.ok()) {
            found.push_back(query::AssembleTrace(std::move(spans).value(), options.value()));
          } else if (spans.status().code() == StatusCode::kNotFound) {
            missing.push_back(it->second);
          } else {
            return StoreError(spans.status(), true);
          }
        }
        return Json(200, query::RenderJaegerTraces(found, missing));
      }
      auto q = query::ParseJaegerSearchParams(req.query(), now);
      if (!q.ok()) return JaegerError(400, q.status().message());
      auto found = store.span_reader().FindTraces(q.value());
      if (!found.ok()) return StoreError(found.status(), true);
      auto traces = LoadTraces(store, found.value(), options.value());
      if (!traces.ok()) return StoreError(traces.status(), true);
      return Json(200, query::RenderJaegerTraces(traces.value()));
    }
    if (rest.starts_with("traces/")) {
      auto id = ParseTraceIdInUrl(rest.substr(7));
      if (!id) return JaegerError(400, "trace id must be 1 to 32 hex digits, not all zero");
      auto spans = store.span_reader().GetTrace(*id);
      if (!spans.ok()) {
        if (spans.status().code() == StatusCode::kNotFound) return JaegerError(404, "trace not found");
        return StoreError(spans.status(), true);
      }
      std::vector<query::AssembledTrace> one;
      one.push_back(query::AssembleTrace(std::move(spans).value(), options.value()));
      return Json(200, query::RenderJaegerTraces(one));
    }
    if (rest == "dependencies") {
      Params p = ParseQuery(req.query());
      uint64_t end_ms = now / 1'000'000, lookback_ms = 24ull * 3600 * 1000;
      if (std::string e = Get(p, "endTs"); !e.empty()) {
        auto v = ParseUint(e);
        if (!v) return JaegerError(400, "parameter 'endTs': want Unix milliseconds");
        end_ms = *v;
      }
      if (std::string l = Get(p, "lookback"); !l.empty()) {
        auto v = ParseUint(l);
        if (!v) return JaegerError(400, "parameter 'lookback': want milliseconds");
        lookback_ms = *v;
      }
      uint64_t end = end_ms * 1'000'000, start = end_ms > lookback_ms ? (end_ms - lookback_ms) * 1'000'000 : 0;
      auto deps = store.span_reader().GetDependencies(start, end);
      if (!deps.ok()) return StoreError(deps.status(), true);
      return Json(200, query::RenderJaegerDependencies(deps.value()));
    }
    // What the Jaeger UI may call and callpathd does not keep: answered in
    // Jaeger's error shape with the code Jaeger uses for a feature that is
    // not configured, which the UI shows as such.
    if (rest.starts_with("metrics/")) return ServeJaegerMetrics(store, rest.substr(8), req.query(), now);
    if (rest == "quality-metrics" || rest == "deep-dependencies") {
      return JaegerError(501, std::string(rest) + " is not available in callpathd");
    }
    return JaegerError(404, "unknown API path " + std::string(path));
  }
};

QueryApi::QueryApi(QueryTenants& tenants, DaemonMetrics& metrics, std::string ui_dir, OpsHandler ops,
                   int worker_threads, McpOptions mcp)
    : impl_(std::make_unique<Impl>(tenants, metrics, std::move(ui_dir), std::move(ops), worker_threads, mcp)) {}

QueryApi::~QueryApi() = default;

HttpResponse QueryApi::ErrorResponse(int http_status, std::string_view, std::string message) {
  return NativeError(http_status, message);
}

namespace {

// Errors on Jaeger's paths take Jaeger's shape; elsewhere the native one
// (an MCP client reads the HTTP status).
bool JaegerShaped(std::string_view path) {
  return path.starts_with("/api/") && !path.starts_with("/api/v1/") && !path.starts_with("/api/v3/") &&
         path != "/api/mcp";
}

// What a request that cannot be served gets.
HttpResponse RefusalFor(bool jaeger, int status, std::string_view message) {
  return jaeger ? JaegerError(status, message) : NativeError(status, message);
}

// The UI's static files hold no tenant's data: served without a store.
bool ReadsStore(std::string_view path) { return path.starts_with("/api/"); }

}  // namespace

void QueryApi::Handle(HttpRequest&& req, Responder respond) {
  HttpResponse ops_resp;
  if (impl_->ops && impl_->ops(req, &ops_resp)) return respond(std::move(ops_resp));
  Impl* impl = impl_.get();
  QueryAdmission admission;
  if (ReadsStore(req.path())) {
    Result<QueryAdmission> admitted = impl->tenants.Admit(req.tenant);
    if (!admitted.ok()) {
      bool busy = admitted.status().code() == StatusCode::kResourceExhausted;
      HttpResponse r = RefusalFor(JaegerShaped(req.path()), busy ? 429 : 503, admitted.status().message());
      r.headers.emplace_back("Retry-After", "1");
      return respond(std::move(r));
    }
    admission = std::move(admitted).value();
  }
  auto once = std::make_shared<OnceResponder>(std::move(respond));
  // The store reads stop at the same deadline as the answer (read_deadline.h).
  store::ReadClock::time_point read_deadline = store::ReadClock::time_point::max();
  if (admission.time_limit.count() > 0) {
    read_deadline = store::ReadClock::now() + admission.time_limit;
    std::string why = "query exceeded this tenant's time limit of " +
                      std::to_string(admission.time_limit.count() / 1000) +
                      "s (query_timeout); narrow the time range or the search";
    bool jaeger = JaegerShaped(req.path());
    std::atomic<uint64_t>* counter = admission.timed_out;
    impl->deadlines.Watch(QueryDeadlines::Clock::now() + admission.time_limit, once, [why, jaeger, counter] {
      if (counter) counter->fetch_add(1, std::memory_order_relaxed);
      return RefusalFor(jaeger, 504, why);
    });
  }
  impl->pool.Post([this, impl, req = std::move(req), once, slot = std::move(admission.slot), read_deadline]() {
    store::ScopedReadDeadline reads_stop_at(read_deadline);
    auto t0 = std::chrono::steady_clock::now();
    HttpResponse r;
    if (!ReadsStore(req.path())) {
      r = ServeUiFile(impl->ui_dir, query::UrlDecode(req.path()), req.accept_encoding);
    } else if (Result<store::Store*> store = impl->tenants.StoreFor(req.tenant); !store.ok()) {
      r = RefusalFor(JaegerShaped(req.path()), 503, store.status().message());
    } else {
      r = Serve(req, *store.value());
    }
    impl->metrics.query_latency.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    once->Respond(std::move(r));
  });
}

HttpResponse QueryApi::Serve(const HttpRequest& req, store::Store& store) {
  std::string path = query::UrlDecode(req.path());
  if (req.path() == "/api/mcp") return impl_->mcp.Handle(req, NowNs(), store);
  if (req.method == "POST" && (req.path().starts_with("/api/archive/") || req.path() == "/api/transform")) {
    return JaegerError(501, req.path() == "/api/transform"
                                ? "converting uploaded OTLP files is not available in callpathd"
                                : "archive storage is not configured: callpathd keeps every trace until retention");
  }
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r = NativeError(405, "use GET");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  // Paths of the API are matched on the raw path so that an encoded '/'
  // inside a service name stays inside it.
  std::string_view raw = req.path();
  if (raw.starts_with("/api/v1/")) return impl_->Native(store, raw, req);
  if (raw.starts_with("/api/v3/")) {
    return ServeApiV3(store, raw.substr(8), req.query(), NowNs(), impl_->assemble);
  }
  if (raw.starts_with("/api/")) return impl_->Jaeger(store, raw, req);
  return ServeUiFile(impl_->ui_dir, path, req.accept_encoding);
}

}  // namespace callpath::daemon
