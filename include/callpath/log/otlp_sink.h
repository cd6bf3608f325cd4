// OtlpLogSink: sends log records as OTLP LogRecords (trace_id, span_id,
// severity number and text, body, attributes, resource) over OTLP/HTTP
// protobuf to <endpoint>/v1/logs — an OpenTelemetry Collector, callpathd,
// or any OTLP receiver.
//
//   auto otlp = std::make_shared<callpath::log::OtlpLogSink>(
//       callpath::log::OtlpLogSinkOptions::FromEnvironment());
//   otlp->set_level(callpath::log::Level::kWarn);   // each sink its own level
//   opts.sinks.push_back(otlp);
//
// Batches are encoded on the logger's background thread and POSTed by the
// sink's own export thread, so a slow or absent receiver never stalls the
// other sinks. At most max_pending_batches wait for the network; beyond
// that a batch is dropped and counted.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "callpath/exporters.h"
#include "callpath/log/sink.h"
#include "callpath/span_data.h"
#include "callpath/version.h"

namespace callpath::log {

struct OtlpLogSinkOptions {
  // Endpoint (the full URL, .../v1/logs), headers, timeout, gzip, retries,
  // TLS. The protocol is always http/protobuf.
  OtlpHttpExporterOptions http;
  // Resource attributes; when it has no service.name, the logger's service
  // name (Options::service_name / OTEL_SERVICE_NAME) is added.
  Resource resource;
  InstrumentationScope scope{"callpath.log", kVersion};
  size_t max_batch_records = 512;                  // OTEL_BLRP_MAX_EXPORT_BATCH_SIZE default
  std::chrono::milliseconds max_delay{1000};       // OTEL_BLRP_SCHEDULE_DELAY default
  size_t max_pending_batches = 8;

  // http from OTEL_EXPORTER_OTLP_LOGS_* / OTEL_EXPORTER_OTLP_* (the generic
  // endpoint gets "/v1/logs" appended); resource service.name from
  // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
  static OtlpLogSinkOptions FromEnvironment();
};

struct OtlpLogSinkStats {
  uint64_t exported_records = 0;  // in batches the receiver accepted
  uint64_t failed_records = 0;    // in batches that failed or were dropped
  uint64_t failed_batches = 0;
};

class OtlpLogSink final : public Sink {
 public:
  explicit OtlpLogSink(OtlpLogSinkOptions options);
  ~OtlpLogSink() override;  // sends what is pending (bounded by the timeout)

  OtlpLogSinkStats stats() const;

 protected:
  void Encode(const Record& record, Buffer& batch) override;
  void Write(std::string_view batch, size_t records) override;
  // Waits until every batch handed over so far has been sent or failed.
  void FlushOutput() override;

 private:
  struct Exporter;
  std::unique_ptr<Exporter> exporter_;
  std::string scratch_;
  std::string service_name_;  // from the records, when the resource has none
};

}  // namespace callpath::log
