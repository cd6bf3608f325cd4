#include "daemon/auth/access_policy.h"

#include <boost/asio/ip/address.hpp>

namespace callpath::daemon::auth {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "name:port" / "[v6]:port" / "name" -> the name or address, lower case.
std::string HostName(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    return close == std::string_view::npos ? std::string() : Lower(host.substr(1, close - 1));
  }
  size_t colon = host.find(':');
  // More than one colon without brackets: a bare IPv6 address.
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return Lower(host);
}

bool IsIpLiteral(const std::string& name, bool* loopback) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(name, ec);
  if (ec) return false;
  *loopback = addr.is_loopback();
  return true;
}

}  // namespace

uint8_t RequiredScopes(ListenerKind listener, std::string_view method, std::string_view path) {
  if (path == "/healthz" || path == "/readyz") return 0;
  if (listener == ListenerKind::kIngest) return kScopeIngest;
  // Daemon-wide figures describe every tenant's traffic: operators only.
  if (path == "/metrics") return kScopeAdmin;
  if (path == "/api" || path.starts_with("/api/")) return kScopeQuery;
  if (method != "GET" && method != "HEAD") return kScopeQuery;
  return 0;
}

std::string_view OriginHost(std::string_view origin) {
  size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = origin.substr(scheme + 3);
  return rest.substr(0, rest.find('/'));
}

bool HostAllowed(const HostPolicy& policy, std::string_view host) {
  if (!policy.check) return true;
  // No Host at all (HTTP/1.0 tools): not a browser, so not a rebinding.
  if (host.empty()) return true;
  std::string name = HostName(host);
  if (name.empty()) return false;
  if (name == "localhost" || name.ends_with(".localhost")) return true;
  for (const std::string& allowed : policy.allowed_names)
    if (name == allowed) return true;
  if (name == Lower(policy.listen_host)) return true;
  bool loopback = false;
  if (!IsIpLiteral(name, &loopback)) return false;
  return loopback || !policy.loopback_listen;
}

bool HttpGate::Admit(HttpRequest& head, HttpResponse* deny) const {
  if (hosts_.check) {
    std::string_view host = head.header("Host");
    std::string_view origin = head.header("Origin");
    std::string why;
    if (!HostAllowed(hosts_, host)) {
      why = "Host '" + std::string(host) + "' is not a name this server answers to";
    } else if (!origin.empty() && (OriginHost(origin).empty() || !HostAllowed(hosts_, OriginHost(origin)))) {
      why = "Origin '" + std::string(origin) + "' is not allowed";
    }
    if (!why.empty()) {
      *deny = errors_(403, head.content_type,
                      why + " (DNS-rebinding protection; add the name with --allowed-hosts)");
      return false;
    }
  }
  uint8_t scopes = RequiredScopes(listener_, head.method, head.path());
  if (scopes == 0) return true;  // public: no tenant's data
  AccessVerdict v;
  if (auth_.enabled()) v = auth_.Check(head.header("Authorization"), head.remote_address, scopes);
  switch (v.code) {
    case AccessVerdict::Code::kAllow: {
      std::string why;
      if (!ResolveTenant(proxies_, head.remote_address, v.tenant, head.header(kScopeOrgHeader), &head.tenant, &why)) {
        *deny = errors_(403, head.content_type, std::move(why));
        return false;
      }
      return true;
    }
    case AccessVerdict::Code::kUnauthenticated:
      *deny = errors_(401, head.content_type, std::move(v.message));
      deny->headers.emplace_back("WWW-Authenticate", "Bearer realm=\"callpathd\"");
      return false;
    case AccessVerdict::Code::kForbidden:
      *deny = errors_(403, head.content_type, std::move(v.message));
      return false;
    case AccessVerdict::Code::kThrottled:
      *deny = errors_(429, head.content_type, std::move(v.message));
      deny->headers.emplace_back("Retry-After", std::to_string(v.retry_after_seconds));
      return false;
  }
  return false;
}

}  // namespace callpath::daemon::auth
