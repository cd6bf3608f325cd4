// The OTLP/HTTP receiver: POST /v1/traces and /v1/logs on the OTLP port.
//
//  - Content-Type application/x-protobuf (or application/protobuf) or
//    application/json; the response uses the same one. Others: 415.
//  - Content-Encoding gzip / deflate / identity; others: 415. The body is
//    inflated with a hard cap (max_body_bytes): beyond it, 413.
//  - 200 with an empty body / "{}" on full success, partial_success when
//    items were rejected; 400 with a google.rpc.Status for undecodable
//    bodies; 429 + Retry-After when the write queue is full; 503 when the
//    store fails or the daemon stops.
#pragma once

#include <cstdint>
#include <functional>

#include "daemon/metrics.h"
#include "daemon/receive/http_types.h"
#include "daemon/receive/otlp_export.h"

namespace callpath::daemon {

// Answers /healthz, /readyz and /metrics (both ports serve them); false when
// the request is for another path.
using OpsHandler = std::function<bool(const HttpRequest&, HttpResponse*)>;

class OtlpHttpReceiver {
 public:
  // Everything referenced must outlive the receiver.
  OtlpHttpReceiver(ExportTarget& exporter, DaemonMetrics& metrics, uint64_t max_body_bytes,
                   OpsHandler ops)
      : exporter_(exporter), metrics_(metrics), max_body_bytes_(max_body_bytes), ops_(std::move(ops)) {}

  void Handle(HttpRequest&& req, Responder respond);

  // For HttpServer: errors found while reading the request.
  static HttpResponse ErrorResponse(int http_status, std::string_view content_type,
                                    std::string message);

 private:
  ExportTarget& exporter_;
  DaemonMetrics& metrics_;
  uint64_t max_body_bytes_;
  OpsHandler ops_;
};

// "application/json; charset=utf-8" -> "application/json" (lowercase).
std::string MediaType(std::string_view content_type);

}  // namespace callpath::daemon
