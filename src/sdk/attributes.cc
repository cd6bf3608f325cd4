#include "callpath/attributes.h"

#include <charconv>
#include <type_traits>

#include "text/json_escape.h"
#include "text/json_writer.h"

namespace callpath {

namespace {

void AppendScalar(bool v, std::string* out) { out->append(v ? "true" : "false"); }

void AppendScalar(int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

void AppendScalar(double v, std::string* out) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  out->append(buf, r.ptr);
}

}  // namespace

std::string AttributeValueToString(const AttributeValue& v) {
  std::string out;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out = x;
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t> ||
                             std::is_same_v<T, double>) {
          AppendScalar(x, &out);
        } else {
          // Arrays read like JSON: [1,2], [true,false], ["a","b"].
          out.push_back('[');
          bool first = true;
          for (const auto& item : x) {
            if (!first) out.push_back(',');
            first = false;
            const typename T::value_type& e = item;
            if constexpr (std::is_same_v<T, std::vector<std::string>>) {
              text::AppendJsonQuoted(e, &out);
            } else {
              AppendScalar(e, &out);
            }
          }
          out.push_back(']');
        }
      },
      v);
  return out;
}

}  // namespace callpath
