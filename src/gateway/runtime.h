// One generation of the gateway's configuration, ready to serve: the
// parsed Config, its Router, the propagators it names, and the live state of
// each upstream (endpoint health, round-robin position).
//
// A SIGHUP reload builds a new Runtime and swaps it in; requests already
// running keep the Runtime they started with (they hold a shared_ptr), new
// requests see the new one. Health carries over for endpoints that stay.
//
// Threads: everything is immutable after Build except the atomics of
// EndpointState / UpstreamState, which any thread may touch.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "callpath/propagation.h"
#include "callpath/status.h"
#include "gateway/config.h"
#include "gateway/router.h"

namespace boost::asio::ssl {
class context;
}

namespace callpath::gateway {

struct EndpointState {
  HostPort address;           // as configured
  std::string ip;             // resolved numeric address, used to connect
  std::string key;            // "host:port": names the connection pool and metrics
  // Written by the endpoint's health checker (starts healthy).
  std::atomic<bool> healthy{true};
};

class UpstreamState {
 public:
  explicit UpstreamState(UpstreamConfig config) : config_(std::move(config)) {}

  const UpstreamConfig& config() const noexcept { return config_; }
  std::vector<std::unique_ptr<EndpointState>>& endpoints() noexcept { return endpoints_; }
  const std::vector<std::unique_ptr<EndpointState>>& endpoints() const noexcept {
    return endpoints_;
  }

  // The next endpoint in round-robin order among the healthy ones, other
  // than `avoid` (the one that just failed) when another healthy endpoint
  // exists. When none is healthy every endpoint is a candidate: health
  // checks can be wrong, and a certain 502 is worse than a likely one.
  // Never null (an upstream has at least one endpoint).
  EndpointState* Pick(const EndpointState* avoid = nullptr) noexcept;

  // For the retry budget: requests to this upstream under way, and how
  // many of them are being retried.
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> retrying{0};

 private:
  UpstreamConfig config_;
  std::vector<std::unique_ptr<EndpointState>> endpoints_;
  std::atomic<uint64_t> next_{0};
};

class Runtime {
 public:
  // Resolves endpoint host names (once, here), builds the propagators and
  // reads config.admin_keys_file and the listener's TLS files (so a SIGHUP
  // rereads keys and certificates; a file that does not load fails the
  // build and the running Runtime stays).
  // `previous` (may be null) lends its endpoint health to endpoints that
  // keep their upstream name and address.
  static Result<std::shared_ptr<Runtime>> Build(Config config, const Runtime* previous);

  const Config& config() const noexcept { return config_; }
  const Router& router() const noexcept { return router_; }
  const TextMapPropagator& propagator() const noexcept { return *propagator_; }
  // propagator().Fields(), computed once: the fields the gateway replaces in
  // every upstream request.
  const std::vector<std::string_view>& propagation_fields() const noexcept {
    return propagation_fields_;
  }
  // The upstream a route names; Build guarantees it exists.
  UpstreamState& upstream(const std::string& name) const { return *upstreams_.at(name); }
  const std::map<std::string, std::unique_ptr<UpstreamState>>& upstreams() const noexcept {
    return upstreams_;
  }

  // The admin port's key check (enabled() is false without a keys file).
  // Check() may run on any thread.
  auth::Authenticator& admin_auth() const noexcept { return *admin_auth_; }

  // The server context of the client listener; null when config.tls is
  // off. A connection takes it when accepted and keeps it (shared_ptr)
  // across reloads.
  const std::shared_ptr<boost::asio::ssl::context>& server_tls() const noexcept {
    return server_tls_;
  }

  // Set when a newer Runtime replaced this one: its health checkers stop.
  bool retired() const noexcept { return retired_.load(std::memory_order_acquire); }
  void Retire() noexcept { retired_.store(true, std::memory_order_release); }

 private:
  explicit Runtime(Config config);

  Config config_;
  Router router_;
  std::unique_ptr<TextMapPropagator> propagator_;
  std::vector<std::string_view> propagation_fields_;
  std::map<std::string, std::unique_ptr<UpstreamState>> upstreams_;
  std::unique_ptr<auth::Authenticator> admin_auth_;
  std::shared_ptr<boost::asio::ssl::context> server_tls_;
  std::atomic<bool> retired_{false};
};

}  // namespace callpath::gateway
