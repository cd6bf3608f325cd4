// Helpers shared by server and client spans: method normalisation, URL
// parsing, traceresponse formatting.
#include <array>
#include <charconv>

#include "callpath/http/client_span.h"
#include "callpath/http/server_span.h"
#include "http/text.h"
#include "sdk/url_redaction.h"

namespace callpath::http {

std::string_view NormalizeMethod(std::string_view method) noexcept {
  static constexpr std::array<std::string_view, 10> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY"};
  for (std::string_view known : kKnown) {
    if (known == method) return known;
  }
  return "_OTHER";
}

std::string FormatTraceresponse(const SpanContext& span) {
  if (!span.IsValid()) return {};
  char buf[kTraceparentSize];
  FormatTraceparent(span, buf);
  return std::string(buf, sizeof(buf));
}

UrlParts ParseUrl(std::string_view url) {
  UrlParts out;
  std::string_view rest = detail::Trim(url);
  size_t colon = rest.find("://");
  if (colon != std::string_view::npos) {
    out.scheme = detail::Lower(rest.substr(0, colon));
    rest.remove_prefix(colon + 3);
  }
  size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path_query =
      path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);

  std::string_view userinfo;
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close != std::string_view::npos) {
      host = authority.substr(1, close - 1);
      if (close + 1 < authority.size() && authority[close + 1] == ':') {
        port = authority.substr(close + 2);
      }
    }
  } else if (size_t c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  out.host = std::string(host);
  int p = -1;
  if (!port.empty()) {
    int v = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec == std::errc() && ptr == port.data() + port.size() && v > 0 && v < 65536) p = v;
  } else if (out.scheme == "http") {
    p = 80;
  } else if (out.scheme == "https") {
    p = 443;
  }
  out.port = p;

  std::string_view no_fragment = path_query.substr(0, path_query.find('#'));
  size_t q = no_fragment.find('?');
  std::string_view path = no_fragment.substr(0, q);
  out.path = path.empty() ? "/" : std::string(path);
  if (q != std::string_view::npos) out.query = std::string(no_fragment.substr(q + 1));

  // Credentials never reach a span: keep the shape, drop the secret (the
  // user:password part and the values of credential query parameters).
  if (userinfo.empty()) {
    if (path_query.empty()) {
      out.redacted = std::string(url);
      return out;
    }
    out.redacted.assign(url.substr(0, static_cast<size_t>(path_query.data() - url.data())));
  } else {
    out.redacted.reserve(url.size());
    if (!out.scheme.empty()) out.redacted.append(out.scheme).append("://");
    out.redacted.append("REDACTED:REDACTED@").append(authority);
  }
  out.redacted.append(internal::RedactTarget(path_query));
  return out;
}

}  // namespace callpath::http
