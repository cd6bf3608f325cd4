// The native API's cause-finding endpoints over a window and between two
// traces (explain for one trace is served beside them):
//
//   GET /api/v1/diagnose?start=&end=[&baseline_start=&baseline_end=][&service=]
//       what changed in the window against its baseline, and the ranked
//       causes (analyze::RenderDiagnosis); parameters as
//       query::ParseDiagnoseParams
//   GET /api/v1/compare?a=ID&b=ID[&adjust_skew=false]
//       what differs between two traces (analyze::RenderComparison)
//
// Errors in the native shape {"error":"...","status":N}: 400 for bad
// parameters, 404 for an unknown trace, 500 for a store failure.
#pragma once

#include <cstdint>
#include <string_view>

#include "daemon/receive/http_types.h"
#include "query/assembled_trace.h"
#include "store/store.h"

namespace callpath::daemon {

HttpResponse ServeDiagnose(store::Store& store, std::string_view query_string, uint64_t now_ns);
// `defaults`: the daemon's trace assembly (maximum clock-skew shift).
HttpResponse ServeCompare(store::Store& store, std::string_view query_string, const query::AssembleOptions& defaults);

}  // namespace callpath::daemon
