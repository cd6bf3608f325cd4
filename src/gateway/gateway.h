// callpath-gateway: a tracing HTTP/1.1 reverse proxy.
//
//   auto rt = Runtime::Build(*LoadConfigFile("gateway.yaml"), nullptr);
//   auto gw = Gateway::Start(*rt, GetTracer("callpath.gateway"));
//   ...                         // serve until a signal
//   gw->Reload(next_runtime);   // SIGHUP: new requests use the new config
//   gw->Stop(Millis(10000));    // SIGTERM: stop accepting, drain, exit
//
// Each of config.threads workers runs its own event loop with its own
// listening socket (SO_REUSEPORT: the kernel spreads connections) and its
// own keep-alive connection pools, so requests never cross threads. One
// more thread serves the admin port (/metrics, /healthz) and runs the
// active health checks.
//
// Per request: one SERVER span (continuing the caller's trace if its headers
// carry one), one CLIENT span per upstream attempt whose context is injected
// upstream, traceresponse and X-Trace-ID response headers, one access-log
// line, and metrics. Bodies are buffered whole (limit max_body_bytes), which
// is what lets a failed attempt be retried.
//
// Threads: Start, Reload and Stop may be called from any one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "callpath/log/logger.h"
#include "callpath/status.h"
#include "callpath/trace.h"
#include "common/byte_budget.h"
#include "gateway/config.h"
#include "gateway/metrics.h"
#include "gateway/runtime.h"

namespace callpath::gateway {

// What the workers and the admin server share. Owned by Gateway.
// What config.max_inflight_bytes stands for on this machine.
uint64_t InflightBudgetBytes(const Config& config);

class SharedState {
 public:
  SharedState(std::shared_ptr<Runtime> runtime, Tracer tracer)
      : tracer_(tracer), access_log_("gateway.access"), events_("gateway"),
        body_budget_(InflightBudgetBytes(runtime->config())), runtime_(std::move(runtime)) {}

  // The runtime for a new request. Cheap when unchanged: callers cache the
  // pointer and compare generation() first.
  std::shared_ptr<Runtime> runtime() const {
    std::lock_guard lock(mu_);
    return runtime_;
  }
  uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }
  // Installs `next` and retires the previous runtime.
  void Swap(std::shared_ptr<Runtime> next);

  const Tracer& tracer() const noexcept { return tracer_; }
  Metrics& metrics() noexcept { return metrics_; }
  const log::Logger& access_log() const noexcept { return access_log_; }
  const log::Logger& events() const noexcept { return events_; }
  // Request bodies buffered now, over every worker.
  ByteBudget& body_budget() noexcept { return body_budget_; }
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }
  void set_stopping() noexcept { stopping_.store(true, std::memory_order_release); }

 private:
  Tracer tracer_;
  Metrics metrics_;
  log::Logger access_log_;
  log::Logger events_;
  ByteBudget body_budget_;
  mutable std::mutex mu_;
  std::shared_ptr<Runtime> runtime_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
};

class Gateway {
 public:
  // Binds config.listen (and config.admin_listen when its port is set;
  // port 0 in listen picks a free port) and starts serving. Fails with a
  // clear message when an address cannot be bound.
  static Result<std::unique_ptr<Gateway>> Start(std::shared_ptr<Runtime> runtime, Tracer tracer);
  ~Gateway();  // Stop with a short grace period if still running

  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  uint16_t port() const noexcept;        // the bound proxy port
  uint16_t admin_port() const noexcept;  // 0 without an admin server

  // New requests use `next`; requests in flight finish with the old config.
  // listen, admin_listen, threads, access_log.path and tracing cannot change
  // without a restart: a change is reported on the events logger and kept
  // as it was.
  void Reload(std::shared_ptr<Runtime> next);

  // Stops accepting, closes idle client connections, lets requests in flight
  // finish for up to `grace`, then stops every thread. Idempotent.
  void Stop(Millis grace);

  SharedState& shared() noexcept;

  struct Impl;

 private:
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace callpath::gateway
