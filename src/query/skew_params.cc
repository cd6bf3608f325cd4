#include "query/skew_params.h"

#include <cctype>
#include <string>

#include "query/params.h"

namespace callpath::query {

namespace {

Result<bool> ParseBool(std::string_view name, std::string_view value) {
  std::string v(value);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return InvalidArgument("parameter '" + std::string(name) + "': want true or false, not '" + std::string(value) + "'");
}

}  // namespace

Result<AssembleOptions> ApplyAdjustSkew(std::string_view value, AssembleOptions o) {
  if (value.empty()) return o;
  auto on = ParseBool("adjust_skew", value);
  if (!on.ok()) return on.status();
  o.adjust_clock_skew = on.value();
  return o;
}

Result<AssembleOptions> ParseSkewParams(std::string_view query_string, AssembleOptions o, bool jaeger) {
  for (const auto& [key, value] : SplitQueryString(query_string)) {
    if (key == "adjust_skew") {
      auto on = ParseBool(key, value);
      if (!on.ok()) return on.status();
      o.adjust_clock_skew = on.value();
    } else if (jaeger && key == "raw") {
      auto raw = ParseBool(key, value);
      if (!raw.ok()) return raw.status();
      if (raw.value()) o.adjust_clock_skew = false;
    }
  }
  return o;
}

}  // namespace callpath::query
