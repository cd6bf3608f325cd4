// Daemon: one running callpathd - store, write pipeline, receivers, query
// API - started and stopped as a unit. main.cc is a thin shell around it;
// tests embed it the same way.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "callpath/status.h"
#include "daemon/config.h"

namespace callpath::daemon {

struct BoundPorts {
  uint16_t otlp_grpc = 0;  // 0 when that listener is off
  uint16_t otlp_http = 0;
  uint16_t query = 0;
};

class Daemon {
 public:
  explicit Daemon(DaemonConfig config);
  ~Daemon();  // Stop()s
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the store and starts every configured listener. On error nothing
  // keeps running. Call once.
  Status Start();

  BoundPorts ports() const;

  // Rereads the keys file (and the TLS files); on error what was loaded
  // before stays in force. For SIGHUP; any thread.
  Status Reload();

  // The line main prints once serving:
  // "callpathd listening otlp_http=127.0.0.1:4318 otlp_grpc=... query=..."
  std::string ListeningLine() const;
  // {"otlp_http":"127.0.0.1:4318","otlp_grpc":...,"query":...,"pid":N}
  std::string ReadyJson() const;

  // Graceful stop: refuse new connections, let queued batches reach the
  // store and their clients get answers, then flush and close the store.
  // Idempotent; safe to call from any thread except a server thread.
  Status Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callpath::daemon
