// Small string helpers for header values.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace callpath::http::detail {

inline std::string_view Trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// Splits "host:port" / "[v6]:port"; port is -1 when absent or malformed.
void SplitHostPort(std::string_view hostport, std::string_view* host, int* port) noexcept;

// The first address of X-Forwarded-For, or the for= of the first Forwarded
// element; "" if neither yields one.
std::string_view ForwardedClient(std::string_view forwarded, std::string_view x_forwarded_for) noexcept;

// The demangled name of an exception's dynamic type.
std::string ExceptionTypeName(const std::exception& e);

}  // namespace callpath::http::detail
