#include "daemon/serve/query_api_v3.h"

#include <string>
#include <vector>

#include "query/assembled_trace.h"
#include "query/params.h"
#include "query/render.h"
#include "query/skew_params.h"
#include "text/hex.h"
#include "text/json_escape.h"

namespace callpath::daemon {

namespace {

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

// The shape of Jaeger's gateway errors: {"error":{"httpCode":404,"message":"..."}}.
HttpResponse V3Error(int status, std::string_view message) {
  std::string body = "{\"error\":{\"httpCode\":" + std::to_string(status) + ",\"message\":";
  text::AppendJsonQuoted(message, &body);
  body += "}}";
  return Json(status, std::move(body));
}

HttpResponse V3StoreError(const Status& s) {
  int code = s.code() == StatusCode::kNotFound ? 404 : s.code() == StatusCode::kInvalidArgument ? 400 : 500;
  return V3Error(code, s.message());
}

std::string QueryValue(std::string_view qs, std::string_view name) {
  while (!qs.empty()) {
    size_t amp = qs.find('&');
    std::string_view part = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
    size_t eq = part.find('=');
    if (query::UrlDecode(part.substr(0, eq)) == name && eq != std::string_view::npos) {
      return query::UrlDecode(part.substr(eq + 1));
    }
  }
  return {};
}

HttpResponse Services(store::Store& store) {
  auto s = store.span_reader().GetServices();
  if (!s.ok()) return V3StoreError(s.status());
  std::string body = "{\"services\":[";
  for (size_t i = 0; i < s.value().size(); ++i) {
    if (i) body += ',';
    text::AppendJsonQuoted(s.value()[i], &body);
  }
  return Json(200, body + "]}");
}

HttpResponse Operations(store::Store& store, std::string_view qs) {
  std::string service = QueryValue(qs, "service");
  if (service.empty()) return V3Error(400, "parameter 'service' is required");
  std::optional<store::SpanKind> kind;
  std::string k = QueryValue(qs, "spanKind");
  if (k.empty()) k = QueryValue(qs, "span_kind");
  if (!k.empty()) {
    store::SpanKind sk;
    if (!store::ParseSpanKind(k, &sk)) return V3Error(400, "parameter 'spanKind': unknown span kind '" + k + "'");
    kind = sk;
  }
  auto ops = store.span_reader().GetOperations(service, kind);
  if (!ops.ok()) return V3StoreError(ops.status());
  std::string body = "{\"operations\":[";
  for (size_t i = 0; i < ops.value().size(); ++i) {
    const auto& op = ops.value()[i];
    if (i) body += ',';
    body += "{\"name\":";
    text::AppendJsonQuoted(op.name, &body);
    body += ",\"spanKind\":";
    text::AppendJsonQuoted(op.kind == store::SpanKind::kUnspecified ? "" : store::SpanKindName(op.kind), &body);
    body += '}';
  }
  return Json(200, body + "]}");
}

HttpResponse FindTraces(store::Store& store, std::string_view qs, uint64_t now_ns,
                        const query::AssembleOptions& assemble) {
  auto q = query::ParseApiV3SearchParams(qs, now_ns);
  if (!q.ok()) return V3Error(400, q.status().message());
  auto found = store.span_reader().FindTraces(q.value());
  if (!found.ok()) return V3StoreError(found.status());
  std::vector<query::AssembledTrace> traces;
  for (const auto& s : found.value()) {
    auto spans = store.span_reader().GetTrace(s.trace_id);
    if (!spans.ok()) {
      if (spans.status().code() == StatusCode::kNotFound) continue;  // removed by retention
      return V3StoreError(spans.status());
    }
    traces.push_back(query::AssembleTrace(std::move(spans).value(), assemble));
  }
  if (traces.empty()) return V3Error(404, "No traces found");
  return Json(200, query::RenderApiV3Traces(traces));
}

HttpResponse FindTraceSummaries(store::Store& store, std::string_view qs, uint64_t now_ns) {
  auto q = query::ParseApiV3SearchParams(qs, now_ns);
  if (!q.ok()) return V3Error(400, q.status().message());
  auto found = store.span_reader().FindTraces(q.value());
  if (!found.ok()) return V3StoreError(found.status());
  return Json(200, query::RenderApiV3TraceSummaries(found.value()));
}

}  // namespace

std::optional<TraceId> ParseTraceIdInUrl(std::string_view hex) {
  TraceId id;
  if (!text::HexDecodeLeftPadded(hex, id.mutable_bytes().data(), TraceId::kSize) || !id.IsValid()) {
    return std::nullopt;
  }
  return id;
}

HttpResponse ServeApiV3(store::Store& store, std::string_view rest, std::string_view qs, uint64_t now_ns,
                        const query::AssembleOptions& defaults) {
  if (rest == "services") return Services(store);
  if (rest == "operations") return Operations(store, qs);
  auto assemble = query::ParseSkewParams(qs, defaults, false);
  if (!assemble.ok()) return V3Error(400, assemble.status().message());
  if (rest == "traces") return FindTraces(store, qs, now_ns, assemble.value());
  if (rest == "trace-summaries") return FindTraceSummaries(store, qs, now_ns);
  if (rest.starts_with("traces/")) {
    auto id = ParseTraceIdInUrl(rest.substr(7));
    if (!id) return V3Error(400, "malformed parameter trace_id: want 1 to 32 hex digits, not all zero");
    auto spans = store.span_reader().GetTrace(*id);
    if (!spans.ok()) {
      if (spans.status().code() == StatusCode::kNotFound) return V3Error(404, "trace not found");
      return V3StoreError(spans.status());
    }
    std::vector<query::AssembledTrace> one;
    one.push_back(query::AssembleTrace(std::move(spans).value(), assemble.value()));
    return Json(200, query::RenderApiV3Traces(one));
  }
  return V3Error(404, "unknown API path /api/v3/" + std::string(rest));
}

}  // namespace callpath::daemon
