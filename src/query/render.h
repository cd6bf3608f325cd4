// JSON renderings of query results for the HTTP API. Every function returns
// a complete JSON document; none throws.
//
// Native API (callpath):       RenderTrace, RenderSearch, RenderServices,
//                              RenderOperations, RenderLogs, RenderDependencies
// Jaeger classic /api/...:     RenderJaeger* ({data,total,limit,offset,errors})
// Jaeger api_v3 /api/v3/...:   RenderApiV3Traces (OTLP/JSON shaped),
//                              RenderApiV3TraceSummaries
#pragma once

#include <string>
#include <vector>

#include "query/assembled_trace.h"
#include "store/model.h"
#include "store/store.h"

namespace callpath::query {

// {"trace_id", "start_ns", "duration_ns", "spans":[{... "depth", "self_ns",
//  "critical": bool, "parent_span_id", ...}], "logs":[...],
//  "critical_path":[{span_id,start_ns,end_ns}], "root_causes":{errors,slow},
//  "adjustments":[...]}
std::string RenderTrace(const AssembledTrace& trace, const std::vector<store::StoredLog>& logs);
// {"traces":[{trace_id, root_service, root_operation, start_ns, duration_ns,
//   span_count, error_count, services}], "count": n}
std::string RenderSearch(const std::vector<store::TraceSummary>& traces);
// {"services":[...]}
std::string RenderServices(const std::vector<std::string>& services);
// {"operations":[{"name","kind"}]}
std::string RenderOperations(const std::vector<store::Operation>& operations);
// {"logs":[{timestamp (RFC 3339 ns), time_ns, level, severity_number, msg,
//   service_name, trace_id, span_id, attributes:{...}}]}
std::string RenderLogs(const std::vector<store::StoredLog>& logs);
// {"dependencies":[{"parent","child","call_count","error_count","p99_ns"}]}:
// p99_ns is the 99th percentile of the child spans' durations.
std::string RenderDependencies(const std::vector<store::DependencyLink>& links);

// Jaeger classic JSON: {"data":[trace...],"total":n,"limit":0,"offset":0,"errors":null}.
// Trace ids asked for by id but not found are listed in "errors" as
// {"msg":"trace not found","traceID":id}, as Jaeger lists them.
std::string RenderJaegerTraces(const std::vector<AssembledTrace>& traces,
                               const std::vector<std::string>& missing_trace_ids = {});
// {"data":["svc",...],"total":n,...}
std::string RenderJaegerServices(const std::vector<std::string>& services);
// /api/services/{svc}/operations: {"data":["op",...]} ; /api/operations:
// {"data":[{"name","spanKind"}]} when `with_kind`.
std::string RenderJaegerOperations(const std::vector<store::Operation>& operations, bool with_kind);
// /api/dependencies: {"data":[{"parent","child","callCount"}]}
std::string RenderJaegerDependencies(const std::vector<store::DependencyLink>& links);
// Jaeger error envelope: {"data":null,"total":0,"limit":0,"offset":0,
// "errors":[{"code":code,"msg":message}]}
std::string RenderJaegerError(int code, std::string_view message);

// Jaeger api_v3 GetTrace / FindTraces: {"result":{"resourceSpans":[...]}}
// in OTLP/JSON (ids hex, times as decimal strings, enums as numbers).
std::string RenderApiV3Traces(const std::vector<AssembledTrace>& traces);

// Jaeger api_v3 FindTraceSummaries (GET /api/v3/trace-summaries):
// {"summaries":[{"traceId","rootServiceName","rootOperationName",
//   "minStartTimeUnixNano","maxEndTimeUnixNano" (decimal strings),
//   "spanCount","errorSpanCount","orphanSpanCount",
//   "services":[{"name","spanCount","errorSpanCount"}]}]}
// A service's counts are left out when the summary does not know them.
std::string RenderApiV3TraceSummaries(const std::vector<store::TraceSummary>& summaries);

}  // namespace callpath::query
