// An exporter that keeps every exported span in memory, for tests.
#pragma once

#include <mutex>
#include <vector>

#include "callpath/span_exporter.h"

namespace callpath::testing {

class InMemoryExporter final : public SpanExporter {
 public:
  // Copies are shared with the test through this handle.
  struct Sink {
    std::mutex mu;
    std::vector<SpanData> spans;
    Resource resource;
    int batches = 0;
    bool shut_down = false;
    std::vector<SpanData> Take() {
      std::lock_guard<std::mutex> lock(mu);
      return std::move(spans);
    }
  };

  explicit InMemoryExporter(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}

  Status Export(std::span<const SpanData> batch, const Resource& resource) override {
    std::lock_guard<std::mutex> lock(sink_->mu);
    sink_->spans.insert(sink_->spans.end(), batch.begin(), batch.end());
    sink_->resource = resource;
    ++sink_->batches;
    return Status();
  }
  Status Shutdown(std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(sink_->mu);
    sink_->shut_down = true;
    return Status();
  }

 private:
  std::shared_ptr<Sink> sink_;
};

}  // namespace callpath::testing
