#include "query/skew_params.h"

#include <string>

#include "query/params.h"

namespace callpath::query {

Result<AssembleOptions> ApplyAdjustSkew(std::string_view value, AssembleOptions o) {
  if (value.empty()) return o;
  auto on = ParseBoolParam("adjust_skew", value);
  if (!on.ok()) return on.status();
  o.adjust_clock_skew = on.value();
  return o;
}

Result<AssembleOptions> ParseSkewParams(std::string_view query_string, AssembleOptions o, bool jaeger) {
  for (const auto& [key, value] : SplitQueryString(query_string)) {
    if (key == "adjust_skew") {
      auto on = ParseBoolParam(key, value);
      if (!on.ok()) return on.status();
      o.adjust_clock_skew = on.value();
    } else if (jaeger && key == "raw") {
      auto raw = ParseBoolParam(key, value);
      if (!raw.ok()) return raw.status();
      if (raw.value()) o.adjust_clock_skew = false;
    }
  }
  return o;
}

}  // namespace callpath::query
