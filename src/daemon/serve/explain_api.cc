#include "daemon/serve/explain_api.h"
#include "daemon/serve/native_response.h"

#include <string>

#include "analyze/baseline.h"
#include "analyze/explain.h"
#include "daemon/serve/query_api_v3.h"
#include "query/skew_params.h"
#include "text/json_escape.h"

namespace callpath::daemon {

namespace {

HttpResponse StoreError(const Status& s) {
  return NativeError(s.code() == StatusCode::kInvalidArgument ? 400 : 500, s.message());
}

}  // namespace

HttpResponse ServeExplain(store::Store& store, std::string_view id_text, std::string_view query_string,
                          const query::AssembleOptions& defaults) {
  auto id = ParseTraceIdInUrl(id_text);
  if (!id) return NativeError(400, "trace id must be 1 to 32 hex digits, not all zero");
  auto options = query::ParseSkewParams(query_string, defaults, false);
  if (!options.ok()) return NativeError(400, options.status().message());
  auto spans = store.span_reader().GetTrace(*id);
  if (!spans.ok()) {
    if (spans.status().code() == StatusCode::kNotFound) return NativeError(404, "trace not found");
    return StoreError(spans.status());
  }
  auto logs = store.log_reader().LogsForTrace(*id);
  if (!logs.ok()) return StoreError(logs.status());
  query::AssembledTrace trace = query::AssembleTrace(std::move(spans).value(), options.value());
  auto baseline = analyze::LoadBaseline(store, trace);
  if (!baseline.ok()) return StoreError(baseline.status());
  HttpResponse r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = analyze::RenderExplainJson(analyze::Explain(trace, logs.value(), baseline.value()));
  return r;
}

}  // namespace callpath::daemon
