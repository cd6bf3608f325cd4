// One trace in parts, for the web UI's trace page on traces of any size:
//
//   GET /api/v1/traces/{id}/skeleton
//       the tree in display order, compact (query/skeleton.h)
//   GET /api/v1/traces/{id}/spans?ids=a,b,...
//       {"spans":[...]} those spans in full, as /api/v1/traces/{id} renders
//       them (attributes, events, links, resource); at most 1000 ids
//   GET /api/v1/traces/{id}/logs?span=&min_severity=&service=&offset=&limit=
//       {"logs":[...],"total","offset","limit"}: the trace's log records in
//       time order, filtered; span=<hex> one span's, span=none those whose
//       span is not in the trace; limit 1..5000 (default 500)
//   GET /api/v1/traces/{id}/find?q=text
//       {"spans":[ids],"log_spans":[ids],"log_matches":n}: spans whose
//       service, operation, status message, attribute keys or values, or
//       event names contain the text (ASCII case-insensitive), and spans
//       whose log records' bodies or attributes contain it
//
// The skeleton is built from the store's GetTraceSkeleton (the tree's
// fields only, no attributes, events or resources). The last trace
// assembled that way, and the last one read in full (span details, find),
// are kept in memory until their stored summary changes, so the requests
// that follow a skeleton do not read a big trace again. Thread-safe.
//
// Errors: 400 with a reason for a bad id or parameter, 404 for an unknown
// trace, in the native API's {"error","status"} shape.
#pragma once

#include <string_view>

#include "daemon/receive/http_types.h"
#include "query/assembled_trace.h"
#include "store/store.h"

namespace callpath::daemon {

// True when `rest` (the path after "/api/v1/") names one of the parts above.
bool IsTracePartPath(std::string_view rest);

// Serves one part; `rest` as for IsTracePartPath, `query_string` undecoded.
// `defaults`: the daemon's trace assembly; `?adjust_skew=false` turns the
// clock-skew adjustment off as on every trace endpoint.
HttpResponse ServeTracePart(store::Store& store, std::string_view rest, std::string_view query_string,
                            const query::AssembleOptions& defaults);

}  // namespace callpath::daemon
