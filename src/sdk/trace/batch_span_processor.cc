// Batch span processor: each thread that ends spans owns a SpanRing (one
// producer, one consumer) per processor; the one export thread drains all
// rings into its batch and exports it.
//
// The ending thread copies the span into its ring as a compact record and
// keeps its SpanData for the next span, so it neither allocates nor locks
// nor shares a cache line with another producer; a full ring drops the span
// and counts it. The export thread sleeps on a condition variable and is
// woken when a ring fills to a batch (or a quarter of its size), on
// ForceFlush/Shutdown, or when the schedule delay passes; while spans pour
// in it polls on a short timer instead. A thread that
// exits leaves its ring behind; the export thread drains it and then
// forgets it.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "callpath/processor.h"
#include "sdk/env.h"
#include "sdk/trace/span_ring.h"

namespace callpath {

namespace {

// Rings get this many bytes per span of max_queue_size (an HTTP server
// span with a few attributes encodes to ~200 bytes), within these bounds.
constexpr size_t kRingBytesPerSpan = 256;
constexpr size_t kMinRingBytes = 16 << 10;
constexpr size_t kMaxRingBytes = 4 << 20;

// The export thread polls every kBusyPollInterval while each look finds at
// least kBusySpans spans (a few million spans a second).
constexpr size_t kBusySpans = 64;
constexpr std::chrono::microseconds kBusyPollInterval{20};

std::atomic<uint64_t> g_next_processor_id{1};

// The ring this thread used last, checked on every OnEnd: constant-
// initialised and trivially destructible, so reading it costs no TLS guard.
struct RingCache {
  uint64_t owner = 0;  // processor id; ids are never reused
  detail::SpanRing* ring = nullptr;
};
constinit thread_local RingCache t_last_ring [[gnu::tls_model("initial-exec")]];
// Set once this thread's ThreadRings is destroyed (thread exit).
constinit thread_local bool t_rings_gone [[gnu::tls_model("initial-exec")]] = false;

// Every ring this thread produces into, one per processor. Touched only
// when the thread first ends a span for a processor; at thread exit the
// rings are orphaned so the export threads drain and release them.
struct ThreadRings {
  std::vector<std::pair<uint64_t, std::shared_ptr<detail::SpanRing>>> rings;
  ~ThreadRings() {
    for (auto& r : rings) r.second->Orphan();
    t_last_ring = RingCache{};
    t_rings_gone = true;
  }
};

}  // namespace

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
  Impl(std::unique_ptr<SpanExporter> e, Resource r, BatchSpanProcessorOptions o)
      : exporter(std::move(e)), resource(std::move(r)), options(o) {
    if (options.max_queue_size == 0) options.max_queue_size = 1;
    options.max_export_batch_size =
        std::clamp<size_t>(options.max_export_batch_size, 1, options.max_queue_size);
    ring_bytes = std::clamp(options.max_queue_size * kRingBytesPerSpan, kMinRingBytes,
                            kMaxRingBytes);
    batch.resize(options.max_export_batch_size);
    // Wake the export thread well before a ring fills: a futex wake-up
    // takes tens of microseconds, in which a busy thread ends hundreds of spans.
    wake_threshold = std::max<size_t>(1, std::min(options.max_export_batch_size,
                                                  options.max_queue_size / 4));
    worker = std::thread([this] { Run(); });
  }

  // --- producer side -------------------------------------------------------

  // This thread's ring for this processor, made on first use; null while
  // the thread is exiting.
  detail::SpanRing* ThreadRing() noexcept {
    if (t_rings_gone) return nullptr;
    thread_local ThreadRings mine;
    detail::SpanRing* found = nullptr;
    // Forget rings of processors that have shut down.
    std::erase_if(mine.rings, [&](auto& r) {
      if (r.second->orphaned()) return true;
      if (r.first == id) found = r.second.get();
      return false;
    });
    if (found == nullptr) {
      auto ring = std::make_shared<detail::SpanRing>(options.max_queue_size, ring_bytes);
      found = ring.get();
      {
        std::lock_guard<std::mutex> lock(registry_mu);
        registry.push_back(ring);
        registry_version.fetch_add(1, std::memory_order_release);
      }
      mine.rings.emplace_back(id, std::move(ring));
    }
    t_last_ring = RingCache{id, found};
    return found;
  }

  void Push(std::unique_ptr<SpanData>& span) noexcept {
    if (stopped.load(std::memory_order_relaxed)) {
      dropped_unqueued.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const RingCache last = t_last_ring;
    detail::SpanRing* ring = last.owner == id ? last.ring : ThreadRing();
    if (ring == nullptr) {
      dropped_unqueued.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (!ring->Push(span)) return;
    // Wake the exporter once a batch waits; the flag keeps this to one
    // notification per wake-up rather than one per span.
    if (ring->Backlog() >= wake_threshold && ring->RefreshBacklog() >= wake_threshold &&
        !wake_pending.load(std::memory_order_relaxed) &&
        !wake_pending.exchange(true, std::memory_order_acq_rel)) {
      { std::lock_guard<std::mutex> lock(mu); }
      cv.notify_one();
    }
  }

  // --- consumer side (export thread only) ----------------------------------

  // Picks up rings registered since the last look and drops finished ones.
  void RefreshRings() {
    const uint64_t version = registry_version.load(std::memory_order_acquire);
    bool finished = false;
    for (auto& r : rings) finished |= r->Finished();
    if (version == rings_version && !finished) return;
    std::lock_guard<std::mutex> lock(registry_mu);
    std::erase_if(registry, [&](const std::shared_ptr<detail::SpanRing>& r) {
      if (!r->Finished()) return false;
      retired_enqueued += r->enqueued();
      retired_dropped += r->dropped();
      return true;
    });
    rings = registry;
    rings_version = registry_version.load(std::memory_order_relaxed);
  }

  // Moves published spans into batch[have..); returns the new fill. Rings
  // take turns at the front so one busy thread cannot starve the others.
  size_t Drain(size_t have) noexcept {
    const size_t count = rings.size();
    for (size_t i = 0; i < count && have < batch.size(); ++i) {
      detail::SpanRing& ring = *rings[(first_ring + i) % count];
      have += ring.Drain(batch.data() + have, batch.size() - have);
    }
    if (count != 0) first_ring = (first_ring + 1) % count;
    return have;
  }

  void Export(size_t n) {
    if (n == 0) return;
    Status s = exporter->Export(std::span<const SpanData>(batch.data(), n), resource);
    (s.ok() ? exported : export_failed).fetch_add(n, std::memory_order_relaxed);
  }

  // Spans waiting in the rings this thread knows of.
  size_t Waiting() const noexcept {
    size_t n = 0;
    for (const auto& r : rings) n += r->waiting();
    return n;
  }

  // Exports everything published before the call, in batches.
  void DrainAll() {
    RefreshRings();
    std::vector<uint64_t> until(rings.size());
    for (size_t i = 0; i < rings.size(); ++i) until[i] = rings[i]->published_position();
    size_t n = 0;
    for (size_t i = 0; i < rings.size(); ++i) {
      while (rings[i]->drained_position() < until[i]) {
        n += rings[i]->Drain(batch.data() + n, batch.size() - n);
        if (n == batch.size()) {
          Export(n);
          n = 0;
        }
      }
    }
    Export(n);
    RefreshRings();
  }

  void Run() {
#if defined(__linux__)
    // Short timed waits below should be short: the default 50 us of timer
    // slack would double them.
    (void)prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
#endif
    auto next_export = std::chrono::steady_clock::now() + options.schedule_delay;
    size_t n = 0;
    size_t drained_since_wait = 0;
    for (;;) {
      // No spinning for more: sleeping until a batch is waiting (or the
      // delay passes) moves ring lines between cores in bulk and measured
      // faster for the ending threads than polling.
      RefreshRings();
      const size_t before = n;
      n = Drain(n);
      drained_since_wait += n - before;
      const auto now = std::chrono::steady_clock::now();
      if (n == batch.size() || (n > 0 && now >= next_export)) {
        Export(n);
        n = 0;
        next_export = now + options.schedule_delay;
        continue;
      }
      // Nothing came during a whole delay: start the next one now, or the
      // wait below would return at once for ever (a spinning idle thread).
      if (n == 0 && now >= next_export) next_export = now + options.schedule_delay;

      uint64_t flush_ticket;
      bool stopping;
      {
        std::unique_lock<std::mutex> lock(mu);
        // While spans pour in, come back on a short timer rather than be
        // woken: the rings stay short (a wake-up through the scheduler can
        // take longer than a busy thread needs to fill its ring), and the
        // ending threads are spared the futex calls (wake_pending stays
        // set, so they do not notify). Otherwise sleep until woken.
        const bool busy = drained_since_wait >= kBusySpans;
        drained_since_wait = 0;
        wake_pending.store(busy, std::memory_order_relaxed);
        const auto deadline = busy ? std::min(next_export, now + kBusyPollInterval) : next_export;
        cv.wait_until(lock, deadline, [&] {
          return stop || flush_requested != flush_completed ||
                 registry_version.load(std::memory_order_relaxed) != rings_version ||
                 Waiting() >= wake_threshold;
        });
        flush_ticket = flush_requested;
        stopping = stop;
      }
      worker_wakeups.fetch_add(1, std::memory_order_relaxed);

      if (stopping || flush_ticket != flush_completed_local) {
        Export(n);
        n = 0;
        DrainAll();
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

  BatchSpanProcessorStats Stats() noexcept {
    BatchSpanProcessorStats s;
    std::lock_guard<std::mutex> lock(registry_mu);
    s.enqueued = retired_enqueued;
    s.dropped = retired_dropped + dropped_unqueued.load(std::memory_order_relaxed);
    for (const auto& r : registry) {
      s.enqueued += r->enqueued();
      s.dropped += r->dropped();
      s.queue_depth += r->waiting();
    }
    s.exported = exported.load(std::memory_order_relaxed);
    s.export_failed = export_failed.load(std::memory_order_relaxed);
    s.worker_wakeups = worker_wakeups.load(std::memory_order_relaxed);
    return s;
  }

  const uint64_t id = g_next_processor_id.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<SpanExporter> exporter;
  Resource resource;
  BatchSpanProcessorOptions options;
  size_t ring_bytes = 0;
  size_t wake_threshold = 1;

  // Export thread only.
  std::vector<SpanData> batch;
  std::vector<std::shared_ptr<detail::SpanRing>> rings;
  uint64_t rings_version = 0;
  size_t first_ring = 0;

  std::mutex registry_mu;
  std::vector<std::shared_ptr<detail::SpanRing>> registry;  // guarded by registry_mu
  uint64_t retired_enqueued = 0;                            // guarded by registry_mu
  uint64_t retired_dropped = 0;                             // guarded by registry_mu
  std::atomic<uint64_t> registry_version{0};

  alignas(64) std::atomic<bool> wake_pending{false};
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> dropped_unqueued{0};  // after Shutdown, or while the thread exits
  std::atomic<uint64_t> exported{0};
  std::atomic<uint64_t> export_failed{0};
  std::atomic<uint64_t> worker_wakeups{0};

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
  // Producers' rings outlive the processor until their threads look again.
  {
    std::lock_guard<std::mutex> lock(impl_->registry_mu);
    for (auto& r : impl_->registry) r->Orphan();
  }
  return impl_->exporter->Shutdown(timeout);
}

BatchSpanProcessorStats BatchSpanProcessor::stats() const noexcept { return impl_->Stats(); }

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
