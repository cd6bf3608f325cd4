// Parameters of the cause-finding endpoints that span a window or name two
// traces. Like params.h: any input is accepted, malformed parameters give
// InvalidArgument with a message naming the parameter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "callpath/ids.h"
#include "callpath/status.h"
#include "query/params.h"

namespace callpath::query {


// GET /api/v1/diagnose: start (required), end (default now),
// baseline_start and baseline_end (both or neither; default: the window's
// length right before start), service. Times as ParseNativeTime (params.h). start must
// be before end; the baseline likewise, and it must not overlap the window.
struct DiagnoseParams {
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  uint64_t baseline_start_ns = 0;
  uint64_t baseline_end_ns = 0;
  std::string service;  // "" = every service
};
Result<DiagnoseParams> ParseDiagnoseParams(std::string_view query_string, uint64_t now_ns);

// GET /api/v1/compare: a and b, trace ids of 1..32 hex digits (either case,
// left-padded with zeros), not all zero. adjust_skew is let through for
// query::ParseSkewParams (skew_params.h).
struct CompareParams {
  TraceId a;
  TraceId b;
};
Result<CompareParams> ParseCompareParams(std::string_view query_string);

}  // namespace callpath::query
