// Batch span processor: a bounded lock-free queue of SpanData slots between
// the threads that end spans (many producers) and one export thread.
//
// The queue is Vyukov's bounded MPMC array queue used with one consumer.
// A producer claims a slot with one CAS and exchanges its SpanData pointer
// with the one parked in the slot (the export thread left a drained object
// there), so the ending thread neither allocates nor locks nor copies; a
// full queue drops the span and counts it. The export thread sleeps on a condition variable
// and is woken when a full batch is waiting, on ForceFlush/Shutdown, or when
// the schedule delay passes.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "callpath/processor.h"
#include "sdk/env.h"

namespace callpath {

BatchSpanProcessorOptions BatchSpanProcessorOptions::FromEnvironment() {
  BatchSpanProcessorOptions o;
  if (auto v = env::GetInt("OTEL_BSP_SCHEDULE_DELAY")) o.schedule_delay = std::chrono::milliseconds(*v);
  if (auto v = env::GetInt("OTEL_BSP_EXPORT_TIMEOUT")) o.export_timeout = std::chrono::milliseconds(*v);
  if (auto v = env::GetInt("OTEL_BSP_MAX_QUEUE_SIZE"); v && *v > 0) o.max_queue_size = static_cast<size_t>(*v);
  if (auto v = env::GetInt("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"); v && *v > 0) {
    o.max_export_batch_size = static_cast<size_t>(*v);
  }
  return o;
}

struct BatchSpanProcessor::Impl {
  struct alignas(64) Slot {
    std::atomic<size_t> seq;
    std::unique_ptr<SpanData> data;  // null until first used
  };

  Impl(std::unique_ptr<SpanExporter> e, Resource r, BatchSpanProcessorOptions o)
      : exporter(std::move(e)), resource(std::move(r)), options(o) {
    if (options.max_queue_size == 0) options.max_queue_size = 1;
    options.max_export_batch_size =
        std::clamp<size_t>(options.max_export_batch_size, 1, options.max_queue_size);
    capacity = 1;
    while (capacity < options.max_queue_size) capacity <<= 1;
    mask = capacity - 1;
    slots.reset(new Slot[capacity]);
    for (size_t i = 0; i < capacity; ++i) slots[i].seq.store(i, std::memory_order_relaxed);
    batch.resize(options.max_export_batch_size);
    // Wake the export thread well before the queue fills: a futex wake-up
    // takes tens of microseconds, in which a busy thread ends hundreds of spans.
    wake_threshold = std::max<size_t>(1, std::min(options.max_export_batch_size,
                                                  options.max_queue_size / 4));
    worker = std::thread([this] { Run(); });
  }

  // --- producer side -------------------------------------------------------

  void Push(std::unique_ptr<SpanData>& span) noexcept {
    if (stopped.load(std::memory_order_relaxed)) {
      dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    size_t pos = enqueue_pos.load(std::memory_order_relaxed);
    Slot* slot;
    for (;;) {
      slot = &slots[pos & mask];
      const size_t seq = slot->seq.load(std::memory_order_acquire);
      const auto diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
      if (diff == 0) {
        if (enqueue_pos.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
      } else if (diff < 0) {
        dropped.fetch_add(1, std::memory_order_relaxed);  // full
        return;
      } else {
        pos = enqueue_pos.load(std::memory_order_relaxed);
      }
    }
    slot->data.swap(span);
    slot->seq.store(pos + 1, std::memory_order_release);

    // Wake the exporter once a full batch waits; the flag keeps this to
    // one notification per wake-up rather than one per span.
    const size_t waiting = pos + 1 - dequeue_pos.load(std::memory_order_relaxed);
    if (waiting >= wake_threshold && !wake_pending.load(std::memory_order_relaxed) &&
        !wake_pending.exchange(true, std::memory_order_acq_rel)) {
      { std::lock_guard<std::mutex> lock(mu); }
      cv.notify_one();
    }
  }

  // --- consumer side (export thread only) ----------------------------------

  // Moves up to batch.size() published spans into `batch`; returns how many.
  size_t Drain(size_t have) noexcept {
    size_t pos = dequeue_pos.load(std::memory_order_relaxed);
    while (have < batch.size()) {
      Slot& slot = slots[pos & mask];
      if (slot.seq.load(std::memory_order_acquire) != pos + 1) break;  // empty or not yet published
      using std::swap;
      swap(batch[have++], *slot.data);
      slot.seq.store(pos + capacity, std::memory_order_release);
      ++pos;
      dequeue_pos.store(pos, std::memory_order_relaxed);
    }
    return have;
  }

  void Export(size_t n) {
    if (n == 0) return;
    Status s = exporter->Export(std::span<const SpanData>(batch.data(), n), resource);
    (s.ok() ? exported : export_failed).fetch_add(n, std::memory_order_relaxed);
  }

  size_t Waiting() const noexcept {
    return enqueue_pos.load(std::memory_order_acquire) - dequeue_pos.load(std::memory_order_relaxed);
  }

  // Exports everything claimed before `until` (slots a producer has claimed
  // but not yet filled are waited for: that takes nanoseconds).
  void DrainAll(size_t until) {
    size_t n = 0;
    while (dequeue_pos.load(std::memory_order_relaxed) < until) {
      size_t before = n;
      n = Drain(n);
      if (n == batch.size()) {
        Export(n);
        n = 0;
      } else if (n == before) {
        std::this_thread::yield();
      }
    }
    Export(n);
  }

  void Run() {
    auto next_export = std::chrono::steady_clock::now() + options.schedule_delay;
    size_t n = 0;
    for (;;) {
      // No spinning for more: spans handed over while this thread polls
      // would move their cache lines between cores one at a time; sleeping
      // until a batch is waiting (or the delay passes) moves them in bulk and
      // measured faster for the ending threads.
      n = Drain(n);
      const auto now = std::chrono::steady_clock::now();
      if (n == batch.size() || (n > 0 && now >= next_export)) {
        Export(n);
        n = 0;
        next_export = now + options.schedule_delay;
        continue;
      }

      uint64_t flush_ticket;
      bool stopping;
      {
        std::unique_lock<std::mutex> lock(mu);
        wake_pending.store(false, std::memory_order_relaxed);
        cv.wait_until(lock, next_export, [&] {
          return stop || flush_requested != flush_completed ||
                 Waiting() >= wake_threshold;
        });
        flush_ticket = flush_requested;
        stopping = stop;
      }

      if (stopping || flush_ticket != flush_completed_local) {
        Export(n);
        n = 0;
        DrainAll(enqueue_pos.load(std::memory_order_acquire));
        next_export = std::chrono::steady_clock::now() + options.schedule_delay;
        if (flush_ticket != flush_completed_local) {
          flush_completed_local = flush_ticket;
          (void)exporter->ForceFlush(options.export_timeout);
          std::lock_guard<std::mutex> lock(mu);
          flush_completed = flush_ticket;
          flush_cv.notify_all();
        }
        if (stopping) return;
      }
    }
  }

  std::unique_ptr<SpanExporter> exporter;
  Resource resource;
  BatchSpanProcessorOptions options;
  size_t capacity = 0;
  size_t mask = 0;
  size_t wake_threshold = 1;
  std::unique_ptr<Slot[]> slots;
  std::vector<SpanData> batch;

  alignas(64) std::atomic<size_t> enqueue_pos{0};
  alignas(64) std::atomic<size_t> dequeue_pos{0};
  alignas(64) std::atomic<bool> wake_pending{false};
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> exported{0};
  std::atomic<uint64_t> export_failed{0};

  std::mutex mu;
  std::condition_variable cv;
  std::condition_variable flush_cv;
  bool stop = false;                 // guarded by mu
  uint64_t flush_requested = 0;      // guarded by mu
  uint64_t flush_completed = 0;      // guarded by mu
  uint64_t flush_completed_local = 0;  // export thread only
  bool shut_down = false;            // guarded by shutdown_mu
  std::mutex shutdown_mu;
  std::thread worker;
};

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, Resource resource,
                                       BatchSpanProcessorOptions options)
    : impl_(std::make_unique<Impl>(std::move(exporter), std::move(resource), options)) {}

BatchSpanProcessor::~BatchSpanProcessor() { (void)Shutdown(impl_->options.export_timeout); }

void BatchSpanProcessor::OnEnd(std::unique_ptr<SpanData>& span) noexcept {
  if (!span->context.IsSampled()) return;  // recorded but not sampled: not exported
  impl_->Push(span);
}

Status BatchSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  if (impl_->stop) return Status();
  const uint64_t ticket = ++impl_->flush_requested;
  impl_->cv.notify_one();
  if (!impl_->flush_cv.wait_for(lock, timeout, [&] { return impl_->flush_completed >= ticket; })) {
    return DeadlineExceeded("ForceFlush did not complete in time");
  }
  return Status();
}

Status BatchSpanProcessor::Shutdown(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> guard(impl_->shutdown_mu);
  if (impl_->shut_down) return Status();
  impl_->shut_down = true;
  impl_->stopped.store(true, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_one();
  impl_->worker.join();
  return impl_->exporter->Shutdown(timeout);
}

BatchSpanProcessorStats BatchSpanProcessor::stats() const noexcept {
  BatchSpanProcessorStats s;
  s.enqueued = impl_->enqueue_pos.load(std::memory_order_relaxed);
  s.dropped = impl_->dropped.load(std::memory_order_relaxed);
  s.exported = impl_->exported.load(std::memory_order_relaxed);
  s.export_failed = impl_->export_failed.load(std::memory_order_relaxed);
  s.queue_depth = impl_->Waiting();
  return s;
}

// --- SimpleSpanProcessor ---------------------------------------------------

struct SimpleSpanProcessor::Impl {
  std::unique_ptr<SpanExporter> exporter;
  Resource resource;
  std::mutex mu;  // Export is never called concurrently
  bool shut_down = false;
};

SimpleSpanProcessor::SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter, Resource resource)
    : impl_(std::make_unique<Impl>()) {
  impl_->exporter = std::move(exporter);
  impl_->resource = std::move(resource);
}

SimpleSpanProcessor::~SimpleSpanProcessor() { (void)Shutdown(std::chrono::seconds(5)); }

void SimpleSpanProcessor::OnEnd(std::unique_ptr<SpanData>& span) noexcept {
  if (!span->context.IsSampled()) return;
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->shut_down) return;
  (void)impl_->exporter->Export(std::span<const SpanData>(span.get(), 1), impl_->resource);
}

Status SimpleSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->exporter->ForceFlush(timeout);
}

Status SimpleSpanProcessor::Shutdown(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->shut_down) return Status();
  impl_->shut_down = true;
  return impl_->exporter->Shutdown(timeout);
}

}  // namespace callpath
