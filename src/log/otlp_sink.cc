#include "callpath/log/otlp_sink.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "log/backend.h"
#include "otlp/encode/otlp_log_encoder.h"
#include "sdk/export/http_transport.h"

namespace callpath::log {

OtlpLogSinkOptions OtlpLogSinkOptions::FromEnvironment() {
  OtlpLogSinkOptions o;
  o.http = OtlpHttpExporterOptions::FromEnvironment(OtlpSignal::kLogs);
  return o;
}

// The export thread and its queue of encoded request bodies.
struct OtlpLogSink::Exporter {
  struct Batch {
    std::string body;
    size_t records;
  };

  explicit Exporter(OtlpLogSinkOptions o)
      : options(std::move(o)),
        transport(internal::HttpTransportOptions::FromExporterOptions(options.http)) {
    for (const auto& a : options.resource.attributes) has_service_name |= a.key == "service.name";
    thread = std::thread([this] { Run(); });
  }

  ~Exporter() {
    {
      std::unique_lock<std::mutex> l(mu);
      stopping = true;
      cv.notify_all();
      // Give what is queued a chance, then interrupt retries.
      idle_cv.wait_for(l, options.http.timeout, [&] { return queue.empty() && !busy; });
    }
    transport.Shutdown();
    thread.join();
  }

  void Enqueue(std::string body, size_t records) {
    std::lock_guard<std::mutex> l(mu);
    if (queue.size() >= options.max_pending_batches) {
      failed_records += records;
      ++failed_batches;
      return;
    }
    queue.push_back({std::move(body), records});
    cv.notify_all();
  }

  void WaitIdle() {
    std::unique_lock<std::mutex> l(mu);
    idle_cv.wait(l, [&] { return queue.empty() && !busy; });
  }

  void Run() {
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      cv.wait(l, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) break;  // stopping and nothing left
      Batch b = std::move(queue.front());
      queue.pop_front();
      busy = true;
      l.unlock();
      Status s = transport.Post(options.http.endpoint, b.body, "application/x-protobuf");
      l.lock();
      busy = false;
      if (s.ok()) {
        exported_records += b.records;
      } else {
        failed_records += b.records;
        ++failed_batches;
      }
      idle_cv.notify_all();
    }
    idle_cv.notify_all();
  }

  OtlpLogSinkOptions options;
  internal::HttpTransport transport;
  std::mutex mu;
  std::condition_variable cv, idle_cv;
  std::deque<Batch> queue;
  bool busy = false;
  bool has_service_name = false;
  bool stopping = false;
  uint64_t exported_records = 0, failed_records = 0, failed_batches = 0;
  std::thread thread;
};

OtlpLogSink::OtlpLogSink(OtlpLogSinkOptions options)
    : Sink(SinkBatchPolicy{.max_bytes = 4u << 20,
                           .max_records = options.max_batch_records,
                           .max_delay = options.max_delay}),
      exporter_(std::make_unique<Exporter>(std::move(options))) {}

OtlpLogSink::~OtlpLogSink() { Flush(); }

OtlpLogSinkStats OtlpLogSink::stats() const {
  std::lock_guard<std::mutex> l(exporter_->mu);
  return {exporter_->exported_records, exporter_->failed_records, exporter_->failed_batches};
}

void OtlpLogSink::Encode(const Record& record, Buffer& batch) {
  if (!exporter_->has_service_name && record.service_name != service_name_) {
    service_name_ = record.service_name;
  }
  scratch_.clear();
  detail::AppendLogRecordProto(record, &scratch_);
  batch.Append(scratch_);
}

void OtlpLogSink::Write(std::string_view batch, size_t records) {
  std::string body;
  body.reserve(batch.size() + 512);
  const Resource* resource = &exporter_->options.resource;
  Resource named;
  if (!exporter_->has_service_name) {
    // No service.name configured: the logger's (Options::service_name).
    named = *resource;
    named.attributes.push_back({"service.name", service_name_});
    resource = &named;
  }
  detail::AppendExportLogsRequestProto(*resource, exporter_->options.scope, batch, &body);
  exporter_->Enqueue(std::move(body), records);
}

void OtlpLogSink::FlushOutput() { exporter_->WaitIdle(); }

}  // namespace callpath::log
