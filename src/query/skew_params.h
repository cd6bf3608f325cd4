// The clock-skew switch of the trace endpoints: `?adjust_skew=false` on
// every one of them (native, api/v3, MCP get_trace's `adjust_skew`
// argument), and Jaeger's own `raw=true` on the Jaeger API, turn the
// adjustment off for that request. The maximum shift comes from the
// daemon's configuration (AssembleOptions::max_clock_skew_ns).
#pragma once

#include <string_view>

#include "callpath/status.h"
#include "query/assembled_trace.h"

namespace callpath::query {

// `defaults` with the request's switch applied. Values: true/false/1/0
// (any case); anything else is InvalidArgument naming the parameter.
// `raw` is read only when `jaeger` is set.
Result<AssembleOptions> ParseSkewParams(std::string_view query_string, AssembleOptions defaults, bool jaeger);

// The same for a single value ("" keeps the default), as MCP passes it.
Result<AssembleOptions> ApplyAdjustSkew(std::string_view value, AssembleOptions defaults);

}  // namespace callpath::query
