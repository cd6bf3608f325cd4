// The gateway's control thread: the admin HTTP server (/metrics, /healthz)
// and the active health checks of every upstream endpoint.
//
// Admin keys: with config.admin_keys_file set (callpathd's keys file
// format), /metrics and every other admin path need
// `Authorization: Bearer <key>` with the admin scope: 401 with
// WWW-Authenticate without a valid key, 403 for a key without the scope,
// 429 with Retry-After after repeated failures from one address. /healthz
// stays open for load balancers' probes.
//
// Health checking: every health_check.interval, each endpoint gets a fresh
// connection and `GET <path>`; a 2xx within health_check.timeout is a
// success. unhealthy_after consecutive failures mark the endpoint down,
// healthy_after consecutive successes bring it back. The first probe runs
// at once. Checks of a retired Runtime stop at their next wake-up.
//
// Threads: Start/Watch/Stop from one thread; the work runs on the control
// thread.
#pragma once

#include <cstdint>
#include <memory>

#include "callpath/status.h"
#include "gateway/config.h"

namespace callpath::gateway {

class SharedState;
class Runtime;

class ControlPlane {
 public:
  // Binds `admin` (an empty host: no admin server; port 0: any free port)
  // and starts the control thread. `shared` must outlive the ControlPlane.
  static Result<std::unique_ptr<ControlPlane>> Start(const HostPort& admin, SharedState* shared);
  ~ControlPlane();

  uint16_t port() const noexcept;
  // Starts the health checks of `runtime`'s upstreams.
  void Watch(std::shared_ptr<Runtime> runtime);
  void Stop();

  struct Impl;

 private:
  explicit ControlPlane(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace callpath::gateway
