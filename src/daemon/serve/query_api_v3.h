// Jaeger's api_v3 over HTTP (what its HTTP gateway serves and what the Jaeger
// UI since v2.19 and Grafana's Jaeger data source call):
//
//   GET /api/v3/services                  {"services":[...]}
//   GET /api/v3/operations?service=&spanKind=
//                                         {"operations":[{"name","spanKind"}]}
//   GET /api/v3/traces/{id}               {"result":{"resourceSpans":[...]}}
//   GET /api/v3/traces?query.*            the same, every matching trace
//   GET /api/v3/trace-summaries?query.*   {"summaries":[...]} from the stored
//                                         per-trace summaries (no trace loaded)
//
// Search parameters: query::ParseApiV3SearchParams. Errors in the gateway's
// shape {"error":{"httpCode":400,"message":"..."}}; a search of /traces
// that finds nothing is 404 "No traces found", as Jaeger answers it, while
// /trace-summaries answers 200 with an empty list.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "callpath/ids.h"
#include "daemon/receive/http_types.h"
#include "query/assembled_trace.h"
#include "store/store.h"

namespace callpath::daemon {

// `rest` is the path after "/api/v3/" (still URL-encoded). `assemble`:
// how traces are assembled unless the request says ?adjust_skew=false.
HttpResponse ServeApiV3(store::Store& store, std::string_view rest, std::string_view query_string,
                        uint64_t now_ns, const query::AssembleOptions& assemble = {});

// Trace ids in URLs: 1..32 hex digits, either case, left-padded with zeros
// (Jaeger clients shorten ids with leading zeros). nullopt if malformed or
// all zero.
std::optional<TraceId> ParseTraceIdInUrl(std::string_view hex);

}  // namespace callpath::daemon
