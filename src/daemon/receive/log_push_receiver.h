// LogPushReceiver: the log push APIs that existing shippers speak, served
// on callpathd's OTLP/HTTP port beside /v1/logs:
//
//   POST /loki/api/v1/push        Loki (Promtail, Grafana Alloy, Fluent Bit's
//                                 loki output, pino-loki, winston-loki):
//                                 snappy protobuf or JSON; 204 on success.
//   POST /_bulk, /{index}/_bulk   Elasticsearch bulk (Filebeat, Fluent Bit's
//                                 es output, rsyslog's omelasticsearch, the
//                                 official clients): NDJSON index/create
//                                 actions; 200 with per-item results.
//   GET|HEAD /                    a minimal Elasticsearch root document, for
//                                 clients that probe the version first.
//
// A request is decoded (src/logparse/: lines parsed, trace ids picked),
// encoded as one OTLP ExportLogsServiceRequest and handed to the same
// ExportService as /v1/logs: it is acknowledged once it is in the ingest
// WAL, and replay after a crash treats it as the OTLP body it became.
// Content-Encoding gzip/deflate/zstd as on /v1/logs. Malformed bodies get
// 400 with the reason; a full backlog 429 + Retry-After; a failing store 503.
#pragma once

#include <cstdint>
#include <string_view>

#include "daemon/metrics.h"
#include "daemon/receive/http_types.h"
#include "daemon/receive/otlp_export.h"

namespace callpath::daemon {

class LogPushReceiver {
 public:
  // Everything referenced must outlive the receiver.
  LogPushReceiver(ExportTarget& exporter, DaemonMetrics& metrics, uint64_t max_body_bytes)
      : exporter_(exporter), metrics_(metrics), max_body_bytes_(max_body_bytes) {}

  // True for the paths above.
  static bool Handles(std::string_view path) noexcept;

  // REQUIRES: Handles(req.path()). Thread-safe; responds exactly once.
  void Handle(HttpRequest&& req, Responder respond);

 private:
  void HandleLoki(HttpRequest&& req, std::string_view body, Responder respond);
  void HandleBulk(HttpRequest&& req, std::string_view body, Responder respond);

  ExportTarget& exporter_;
  DaemonMetrics& metrics_;
  uint64_t max_body_bytes_;
};

}  // namespace callpath::daemon
