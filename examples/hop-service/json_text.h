// Writing JSON string literals (the services build small JSON answers by hand).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace hop {

// Appends `s` as a quoted JSON string; control characters are escaped and
// bytes >= 0x80 are passed through (callers give UTF-8 or ASCII).
inline void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace hop
