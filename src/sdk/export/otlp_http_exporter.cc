#include <algorithm>
#include <atomic>

#include "callpath/exporters.h"
#include "otlp/encode/otlp_json_encoder.h"
#include "otlp/encode/otlp_span_encoder.h"
#include "sdk/env.h"
#include "sdk/export/http_transport.h"
#include "sdk/export/otlp_http_response.h"

namespace callpath {

struct OtlpHttpExporter::Impl {
  explicit Impl(OtlpHttpExporterOptions o)
      : options(std::move(o)),
        transport(internal::HttpTransportOptions::FromExporterOptions(options)) {}

  const OtlpHttpExporterOptions options;
  internal::HttpTransport transport;
  std::string body;                 // reused request buffer
  internal::HttpResponse response;  // reused: keeps its buffers between batches
  std::atomic<bool> shut_down{false};
  // Problems are reported on stderr at most once a minute (the counters have
  // the full story), so a dead collector does not flood the application's log.
  std::chrono::steady_clock::time_point next_report{};
  uint64_t unreported = 0;

  void Report(const std::string& what) {
    ++unreported;
    const auto now = std::chrono::steady_clock::now();
    if (now < next_report) return;
    std::string m = "OTLP trace export: " + what;
    if (unreported > 1) m += " (" + std::to_string(unreported - 1) + " earlier problems not shown)";
    env::Warn(m);
    unreported = 0;
    next_report = now + std::chrono::minutes(1);
  }

  std::atomic<uint64_t> exported{0}, failed{0}, rejected{0}, failed_batches{0};

  // Encodes and posts `batch`, in halves while it encodes over
  // max_request_bytes.
  Status Send(std::span<const SpanData> batch, const Resource& resource);
};

OtlpHttpExporter::OtlpHttpExporter(OtlpHttpExporterOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

OtlpHttpExporter::~OtlpHttpExporter() = default;

const OtlpHttpExporterOptions& OtlpHttpExporter::options() const { return impl_->options; }

Status OtlpHttpExporter::Export(std::span<const SpanData> batch, const Resource& resource) {
  Impl& d = *impl_;
  if (d.shut_down.load()) {
    d.failed.fetch_add(batch.size(), std::memory_order_relaxed);
    d.failed_batches.fetch_add(1, std::memory_order_relaxed);
    return FailedPrecondition("OTLP exporter is shut down");
  }
  if (batch.empty()) return Status();
  return d.Send(batch, resource);
}

Status OtlpHttpExporter::Impl::Send(std::span<const SpanData> batch, const Resource& resource) {
  const bool json = options.protocol == OtlpProtocol::kHttpJson;
  body.clear();  // keeps its capacity: steady state encodes without allocating
  if (json) {
    internal::AppendTraceRequestJson(batch, resource, &body);
  } else {
    internal::AppendTraceRequestProto(batch, resource, &body);
  }
  if (body.size() > options.max_request_bytes) {
    if (batch.size() == 1) {
      failed.fetch_add(1, std::memory_order_relaxed);
      failed_batches.fetch_add(1, std::memory_order_relaxed);
      Report("a span of " + std::to_string(body.size()) + " encoded bytes dropped: over max_request_bytes (" +
             std::to_string(options.max_request_bytes) + ")");
      return InvalidArgument("span larger than max_request_bytes");
    }
    // Halves, each encoded again: the first error is the answer, but the
    // second half is sent all the same.
    const size_t half = batch.size() / 2;
    Status first = Send(batch.first(half), resource);
    Status second = Send(batch.subspan(half), resource);
    return first.ok() ? second : first;
  }
  Status s = transport.Post(options.endpoint, body, json ? "application/json" : "application/x-protobuf",
                            &response);
  if (!s.ok()) {
    failed.fetch_add(batch.size(), std::memory_order_relaxed);
    failed_batches.fetch_add(1, std::memory_order_relaxed);
    Report(std::to_string(batch.size()) + " spans dropped: " + s.ToString());
    return s;
  }
  uint64_t refused = 0;
  // The spec forbids retrying a partial success; count what was refused.
  if (auto partial = internal::ParseExportResponse(response.body,
                                                   response.content_type.find("json") != std::string::npos)) {
    if (partial->rejected > 0) {
      refused = std::min<uint64_t>(static_cast<uint64_t>(partial->rejected), batch.size());
    }
    Report("partial success, " + std::to_string(partial->rejected) + " spans rejected: " + partial->error_message);
  }
  rejected.fetch_add(refused, std::memory_order_relaxed);
  exported.fetch_add(batch.size() - refused, std::memory_order_relaxed);
  return Status();
}

Status OtlpHttpExporter::Shutdown(std::chrono::milliseconds) {
  impl_->shut_down.store(true);
  impl_->transport.Shutdown();
  return Status();
}

SpanExporterStats OtlpHttpExporter::stats() const {
  SpanExporterStats s;
  s.exported_spans = impl_->exported.load(std::memory_order_relaxed);
  s.failed_spans = impl_->failed.load(std::memory_order_relaxed);
  s.rejected_spans = impl_->rejected.load(std::memory_order_relaxed);
  s.failed_batches = impl_->failed_batches.load(std::memory_order_relaxed);
  s.retries = impl_->transport.stats().retries;
  return s;
}

}  // namespace callpath
