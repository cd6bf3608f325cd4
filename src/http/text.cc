#include "http/text.h"

#include <charconv>
#include <cstdlib>
#include <cxxabi.h>
#include <memory>
#include <typeinfo>

namespace callpath::http::detail {

void SplitHostPort(std::string_view hostport, std::string_view* host, int* port) noexcept {
  hostport = Trim(hostport);
  std::string_view h = hostport, p;
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      h = hostport;
    } else {
      h = hostport.substr(1, close - 1);
      if (close + 1 < hostport.size() && hostport[close + 1] == ':') p = hostport.substr(close + 2);
    }
  } else if (size_t c = hostport.rfind(':'); c != std::string_view::npos &&
                                             hostport.find(':') == c) {
    h = hostport.substr(0, c);
    p = hostport.substr(c + 1);
  }
  *host = h;
  *port = -1;
  int v = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (!p.empty() && ec == std::errc() && ptr == p.data() + p.size() && v > 0 && v < 65536) {
    *port = v;
  }
}

std::string_view ForwardedClient(std::string_view forwarded,
                                 std::string_view x_forwarded_for) noexcept {
  if (!forwarded.empty()) {
    // Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43, for=...
    std::string_view first = forwarded.substr(0, forwarded.find(','));
    while (!first.empty()) {
      size_t semi = first.find(';');
      std::string_view pair = Trim(first.substr(0, semi));
      if (pair.size() > 4 && (pair.substr(0, 4) == "for=" || pair.substr(0, 4) == "For=" ||
                              pair.substr(0, 4) == "FOR=")) {
        std::string_view v = pair.substr(4);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        std::string_view host;
        int port;
        SplitHostPort(v, &host, &port);
        if (!host.empty()) return host;
      }
      if (semi == std::string_view::npos) break;
      first.remove_prefix(semi + 1);
    }
  }
  if (!x_forwarded_for.empty()) {
    std::string_view first = Trim(x_forwarded_for.substr(0, x_forwarded_for.find(',')));
    if (!first.empty()) return first;
  }
  return {};
}

std::string ExceptionTypeName(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && demangled ? std::string(demangled.get()) : std::string(mangled);
}

}  // namespace callpath::http::detail
