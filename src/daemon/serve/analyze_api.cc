#include "daemon/serve/analyze_api.h"
#include "daemon/serve/native_response.h"

#include <string>

#include "analyze/compare.h"
#include "analyze/diagnose.h"
#include "analyze/render_causes.h"
#include "query/params_analyze.h"
#include "query/skew_params.h"
#include "text/json_writer.h"

namespace callpath::daemon {
namespace {

HttpResponse StoreError(const Status& s) {
  return NativeError(s.code() == StatusCode::kInvalidArgument ? 400 : 500, s.message());
}

HttpResponse LoadError(const Status& s) {
  return s.code() == StatusCode::kNotFound ? NativeError(404, s.message()) : StoreError(s);
}

// A trace and its log records, assembled; a 404 names the side missing.
struct LoadedTrace {
  query::AssembledTrace trace;
  std::vector<store::StoredLog> logs;
};
Result<LoadedTrace> Load(store::Store& store, const TraceId& id, const char* side,
                         const query::AssembleOptions& options) {
  auto spans = store.span_reader().GetTrace(id);
  if (!spans.ok()) {
    if (spans.status().code() == StatusCode::kNotFound) {
      return NotFound(std::string("trace ") + side + " (" + id.ToHex() + ") not found");
    }
    return spans.status();
  }
  auto logs = store.log_reader().LogsForTrace(id);
  if (!logs.ok()) return logs.status();
  return LoadedTrace{query::AssembleTrace(std::move(spans).value(), options), std::move(logs).value()};
}

}  // namespace

HttpResponse ServeDiagnose(store::Store& store, std::string_view query_string, uint64_t now_ns) {
  auto p = query::ParseDiagnoseParams(query_string, now_ns);
  if (!p.ok()) return NativeError(400, p.status().message());
  analyze::DiagnoseSources sources{&store.span_reader(), &store.log_reader(), &store.stats_reader()};
  analyze::DiagnoseStoreOptions options;
  options.diagnose.service = p->service;
  auto d =
      analyze::DiagnoseStore(sources, {p->start_ns, p->end_ns}, {p->baseline_start_ns, p->baseline_end_ns}, options);
  if (!d.ok()) return StoreError(d.status());
  return JsonResponse(200, analyze::RenderDiagnosis(d.value()));
}

HttpResponse ServeCompare(store::Store& store, std::string_view query_string, const query::AssembleOptions& defaults) {
  auto p = query::ParseCompareParams(query_string);
  if (!p.ok()) return NativeError(400, p.status().message());
  auto options = query::ParseSkewParams(query_string, defaults, false);
  if (!options.ok()) return NativeError(400, options.status().message());
  auto a = Load(store, p->a, "a", options.value());
  if (!a.ok()) return LoadError(a.status());
  auto b = Load(store, p->b, "b", options.value());
  if (!b.ok()) return LoadError(b.status());
  analyze::TraceComparison c = analyze::CompareTraces(a->trace, a->logs, b->trace, b->logs);
  return JsonResponse(200, analyze::RenderComparison(c, a->trace, b->trace));
}

}  // namespace callpath::daemon
