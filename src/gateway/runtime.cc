#include "gateway/runtime.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include "gateway/server_tls.h"

namespace callpath::gateway {
namespace {

// The first address `host` resolves to, IPv4 preferred (what a loopback
// service usually listens on).
Result<std::string> Resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    return Unavailable("cannot resolve '" + host + "': " + gai_strerror(rc));
  }
  std::string v4, v6;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (a->ai_family == AF_INET && v4.empty()) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, buf, sizeof buf);
      v4 = buf;
    } else if (a->ai_family == AF_INET6 && v6.empty()) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, buf,
                sizeof buf);
      v6 = buf;
    }
  }
  freeaddrinfo(res);
  if (!v4.empty()) return v4;
  if (!v6.empty()) return v6;
  return Unavailable("'" + host + "' has no IPv4 or IPv6 address");
}

std::string JoinPropagators(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

EndpointState* UpstreamState::Pick(const EndpointState* avoid) noexcept {
  const size_t n = endpoints_.size();
  const uint64_t start = next_.fetch_add(1, std::memory_order_relaxed);
  EndpointState* fallback = nullptr;  // healthy but `avoid`
  for (size_t i = 0; i < n; ++i) {
    EndpointState* e = endpoints_[(start + i) % n].get();
    if (!e->healthy.load(std::memory_order_relaxed)) continue;
    if (e == avoid && n > 1) {
      fallback = e;
      continue;
    }
    return e;
  }
  if (fallback != nullptr) return fallback;
  // Nothing healthy: plain round-robin over all, still avoiding the last failure.
  EndpointState* e = endpoints_[start % n].get();
  if (e == avoid && n > 1) e = endpoints_[(start + 1) % n].get();
  return e;
}

Runtime::Runtime(Config config) : config_(std::move(config)), router_(config_.routes) {}

Result<std::shared_ptr<Runtime>> Runtime::Build(Config config, const Runtime* previous) {
  std::shared_ptr<Runtime> rt(new Runtime(std::move(config)));
  rt->propagator_ = rt->config_.propagators.empty()
                        ? PropagatorsFromEnvironment()
                        : MakePropagators(JoinPropagators(rt->config_.propagators));
  rt->propagation_fields_ = rt->propagator_->Fields();
  rt->admin_auth_ = std::make_unique<auth::Authenticator>(rt->config_.admin_keys_file);
  if (rt->admin_auth_->enabled()) {
    if (Status s = rt->admin_auth_->Reload(); !s.ok()) {
      return InvalidArgument(rt->config_.source + ": admin_keys_file: " + s.message());
    }
  }
  if (rt->config_.tls.enabled()) {
    Result<std::shared_ptr<boost::asio::ssl::context>> tls =
        MakeServerTlsContext(rt->config_.tls);
    if (!tls.ok()) return InvalidArgument(rt->config_.source + ": " + tls.status().message());
    rt->server_tls_ = std::move(*tls);
  }
  for (const auto& [name, up] : rt->config_.upstreams) {
    auto state = std::make_unique<UpstreamState>(up);
    for (const HostPort& hp : up.endpoints) {
      auto e = std::make_unique<EndpointState>();
      e->address = hp;
      e->key = hp.ToString();
      Result<std::string> ip = Resolve(hp.host);
      if (!ip.ok()) {
        return InvalidArgument(rt->config_.source + ": upstreams." + name + ": " +
                               ip.status().message());
      }
      e->ip = *ip;
      if (previous != nullptr) {
        auto it = previous->upstreams_.find(name);
        if (it != previous->upstreams_.end()) {
          for (const auto& old : it->second->endpoints()) {
            if (old->key == e->key) {
              e->healthy.store(old->healthy.load());
            }
          }
        }
      }
      state->endpoints().push_back(std::move(e));
    }
    rt->upstreams_.emplace(name, std::move(state));
  }
  return rt;
}

}  // namespace callpath::gateway
