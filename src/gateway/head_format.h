// Appending HTTP/1.1 head text to a string, for heads sent upstream and to
// clients. Inline: these run several times per request.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "callpath/propagation.h"

namespace callpath::gateway {

inline void AppendUnsigned(std::string& out, uint64_t v) {
  char buf[24];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, static_cast<size_t>(buf + sizeof buf - p));
}

// "name: value\r\n"
inline void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ", 2).append(value).append("\r\n", 2);
}

// Appends a field for every one a propagator injects.
class AppendCarrier final : public TextMapCarrier {
 public:
  explicit AppendCarrier(std::string& out) noexcept : out_(&out) {}
  std::string_view Get(std::string_view) const override { return {}; }
  void Set(std::string_view key, std::string_view value) override {
    AppendField(*out_, key, value);
  }

 private:
  std::string* out_;
};

// Whether `name` is one of `names`, ASCII case ignored.
inline bool IsOneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (detail::AsciiIEquals(name, n)) return true;
  }
  return false;
}

}  // namespace callpath::gateway
