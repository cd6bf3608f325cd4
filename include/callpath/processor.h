// Span processors receive every recorded span when it ends. The batch
// processor is the one to use in production: the ending thread copies the
// span into its own queue without blocking or allocating, and one
// background thread exports batches.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "callpath/span_data.h"
#include "callpath/span_exporter.h"
#include "callpath/status.h"

namespace callpath {

class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;

  // Called on the thread that ends the span, once per recorded span, with
  // the span's data (never null). The processor may keep the object (moving
  // it out of `span`) and may leave another SpanData, or null, in its place:
  // the caller recycles whatever `span` holds on return, without reading it.
  // Must not throw and should not block.
  virtual void OnEnd(std::unique_ptr<SpanData>& span) noexcept = 0;

  // Exports everything handed over so far; waits at most `timeout`.
  virtual Status ForceFlush(std::chrono::milliseconds timeout) = 0;

  // Exports what is queued, then stops. OnEnd after Shutdown drops the span.
  virtual Status Shutdown(std::chrono::milliseconds timeout) = 0;
};

struct BatchSpanProcessorOptions {
  // Spans waiting for export, per thread that ends spans (each such thread
  // has its own queue); when a thread's queue is full, the spans it ends are
  // dropped and counted. Each queue also holds at most 256 B * this (between
  // 16 KiB and 4 MiB, rounded up to a power of two; an HTTP span with a few
  // attributes takes ~200 B), allocated when the thread first ends a span. Larger absorbs bursts at the cost of memory.
  size_t max_queue_size = 2048;
  // Spans per Export call; at most max_queue_size.
  size_t max_export_batch_size = 512;
  // The longest a span waits before export when the queue is not filling up.
  std::chrono::milliseconds schedule_delay{5000};
  // Deadline passed to one Export call (the exporter enforces it).
  std::chrono::milliseconds export_timeout{30000};

  // OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_EXPORT_TIMEOUT, OTEL_BSP_MAX_QUEUE_SIZE,
  // OTEL_BSP_MAX_EXPORT_BATCH_SIZE over the defaults above.
  static BatchSpanProcessorOptions FromEnvironment();
};

struct BatchSpanProcessorStats {
  uint64_t enqueued = 0;         // spans accepted into the queue
  uint64_t dropped = 0;          // spans dropped because the queue was full or after Shutdown
  uint64_t exported = 0;         // spans in batches the exporter accepted
  uint64_t export_failed = 0;    // spans in batches the exporter rejected
  uint64_t queue_depth = 0;      // spans waiting right now
  // Times the export thread woke (timer or notification). With nothing to
  // export it wakes about once per schedule delay; more means it spins.
  uint64_t worker_wakeups = 0;
};

class BatchSpanProcessor final : public SpanProcessor {
 public:
  // Starts the background thread. `resource` is passed to every Export.
  BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, Resource resource,
                     BatchSpanProcessorOptions options = {});
  ~BatchSpanProcessor() override;  // Shutdown with the export timeout

  void OnEnd(std::unique_ptr<SpanData>& span) noexcept override;
  Status ForceFlush(std::chrono::milliseconds timeout) override;
  Status Shutdown(std::chrono::milliseconds timeout) override;

  BatchSpanProcessorStats stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Exports each span synchronously on the ending thread. For tests and
// debugging only: the caller waits for the exporter.
class SimpleSpanProcessor final : public SpanProcessor {
 public:
  SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter, Resource resource);
  ~SimpleSpanProcessor() override;
  void OnEnd(std::unique_ptr<SpanData>& span) noexcept override;
  Status ForceFlush(std::chrono::milliseconds timeout) override;
  Status Shutdown(std::chrono::milliseconds timeout) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callpath
