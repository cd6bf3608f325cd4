// The OTLP/gRPC receiver: TraceService/Export and LogsService/Export on
// the OTLP gRPC port, served as a generic (byte-level) service so that the
// request bytes go straight to the zero-copy decoder - no protobuf message
// objects. gzip message compression is handled by gRPC itself.
//
// Errors: undecodable request -> INVALID_ARGUMENT; queue full ->
// RESOURCE_EXHAUSTED; store failure or shutdown -> UNAVAILABLE; oversized
// message -> RESOURCE_EXHAUSTED (by gRPC); unknown method -> UNIMPLEMENTED.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "callpath/status.h"
#include "daemon/metrics.h"
#include "daemon/receive/otlp_export.h"

namespace callpath::daemon {

class GrpcReceiver {
 public:
  // `exporter` and `metrics` must outlive the receiver.
  GrpcReceiver(ExportService& exporter, DaemonMetrics& metrics, uint64_t max_message_bytes);
  ~GrpcReceiver();  // Shutdown()s

  // Starts serving on host:port (port 0 = any free port; see port()).
  Status Start(const std::string& host, uint16_t port);
  uint16_t port() const noexcept { return port_; }
  // Stops accepting calls and waits (up to a few seconds) for running ones.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t max_message_bytes_;
  uint16_t port_ = 0;
};

}  // namespace callpath::daemon
