// GET /api/v1/traces/{trace_id}/explain[?adjust_skew=false]: why one trace
// failed or was slow, judged against its baseline (src/analyze). Answers
// the document of analyze::RenderExplainJson; 400 for a bad id or
// parameter, 404 for an unknown trace, 500 for a store error, each as the
// native API's {"error":..,"status":..}.
//
// Cost: the trace, its logs, the baseline window's statistics and at most
// a few reference traces (analyze::BaselineLoadOptions bounds them).
#pragma once

#include <string_view>

#include "daemon/receive/http_types.h"
#include "query/assembled_trace.h"
#include "store/store.h"

namespace callpath::daemon {

// `id_text`: the path segment holding the trace id; `defaults`: the
// daemon's trace assembly (maximum clock-skew shift).
HttpResponse ServeExplain(store::Store& store, std::string_view id_text, std::string_view query_string,
                          const query::AssembleOptions& defaults);

}  // namespace callpath::daemon
