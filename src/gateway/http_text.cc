#include "gateway/http_text.h"

#include <array>

#include "callpath/propagation.h"
#include "text/json_escape.h"

namespace callpath::gateway {

bool IsHopByHopField(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 11> kFields = {
      "connection", "keep-alive",     "proxy-connection", "te",           "trailer",
      "upgrade",    "transfer-encoding", "proxy-authenticate", "proxy-authorization",
      "content-length", "expect"};
  for (std::string_view f : kFields) {
    if (detail::AsciiIEquals(name, f)) return true;
  }
  return false;
}

std::string_view SemconvMethod(std::string_view m) noexcept {
  static constexpr std::array<std::string_view, 10> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY"};
  for (std::string_view k : kKnown) {
    if (m == k) return k;
  }
  return "_OTHER";
}

std::string ErrorBody(std::string_view message, std::string_view trace_id) {
  std::string out = "{\"error\":";
  text::AppendJsonQuoted(message, &out);
  out += ",\"trace_id\":";
  text::AppendJsonQuoted(trace_id, &out);
  out += "}";
  return out;
}

std::string AppendForwardedFor(std::string_view existing, std::string_view peer) {
  while (!existing.empty() && (existing.back() == ' ' || existing.back() == ',')) {
    existing.remove_suffix(1);
  }
  if (existing.empty()) return std::string(peer);
  std::string out(existing);
  out += ", ";
  out.append(peer);
  return out;
}

}  // namespace callpath::gateway
