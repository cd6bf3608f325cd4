#include "gateway/router.h"

#include <cctype>

namespace callpath::gateway {

bool PathHasPrefix(std::string_view path, std::string_view prefix) noexcept {
  if (!path.starts_with(prefix)) return false;
  if (path.size() == prefix.size() || prefix.ends_with('/')) return true;
  return path[prefix.size()] == '/';
}

std::string HostWithoutPort(std::string_view host) {
  std::string_view h = host;
  if (!h.empty() && h.front() == '[') {
    size_t close = h.find(']');
    h = close == std::string_view::npos ? h.substr(1) : h.substr(1, close - 1);
  } else if (size_t colon = h.rfind(':'); colon != std::string_view::npos &&
                                          h.find(':') == colon) {
    h = h.substr(0, colon);  // one colon: host:port (several would be a bare IPv6 address)
  }
  std::string out(h);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int PortFromHost(std::string_view host, int fallback) {
  size_t colon = host.rfind(':');
  if (colon == std::string_view::npos) return fallback;
  if (host.front() != '[' && host.find(':') != colon) return fallback;  // bare IPv6
  if (host.front() == '[' && (colon == 0 || host[colon - 1] != ']')) return fallback;
  std::string_view digits = host.substr(colon + 1);
  if (digits.empty() || digits.size() > 5) return fallback;
  int port = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return fallback;
    port = port * 10 + (c - '0');
  }
  return port > 0 && port < 65536 ? port : fallback;
}

const Route* Router::Match(std::string_view host, std::string_view path) const noexcept {
  const Route* best = nullptr;
  std::string bare;
  bool bare_done = false;
  for (const Route& r : *routes_) {
    if (!PathHasPrefix(path, r.path_prefix)) continue;
    if (!r.host.empty()) {
      if (!bare_done) {
        bare = HostWithoutPort(host);
        bare_done = true;
      }
      if (bare != r.host) continue;
    }
    if (best == nullptr || r.path_prefix.size() > best->path_prefix.size() ||
        (r.path_prefix.size() == best->path_prefix.size() && best->host.empty() &&
         !r.host.empty())) {
      best = &r;
    }
  }
  return best;
}

std::string UpstreamTarget(std::string_view target, const Route& route) {
  if (route.strip_prefix.empty()) return std::string(target);
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q);
  if (!PathHasPrefix(path, route.strip_prefix)) return std::string(target);
  std::string_view rest = path.substr(route.strip_prefix.size());
  std::string out;
  out.reserve(target.size() + 1);
  if (rest.empty() || rest.front() != '/') out.push_back('/');
  out.append(rest);
  out.append(query);
  return out;
}

}  // namespace callpath::gateway
