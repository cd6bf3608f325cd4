#include "log/backend.h"

#include <time.h>

#include <cstdlib>
#include <cstring>

#include "callpath/log/logger.h"
#include "callpath/log/record.h"
#include "log/crash_handler.h"
#include "log/field_codec.h"
#include "log/queued_record.h"
#include "log/text_filter.h"

namespace callpath::log::detail {

namespace {

// Marks the thread's ring closed when the thread ends; the background
// thread frees it once drained.
struct RingOwner {
  Ring* ring = nullptr;
  ~RingOwner();
};
thread_local RingOwner t_owner;

size_t RingSize(size_t requested) {
  size_t size = 4096;
  while (size < requested && size < (size_t{1} << 30)) size <<= 1;
  return size;
}

}  // namespace

RingOwner::~RingOwner() { Backend::ThreadExiting(ring); }

Ring* Backend::ThreadRingSlow() noexcept {
  if (t_ring_ == kExiting) return nullptr;
  if (g_hot.state.load(std::memory_order_acquire) == kNew) {
    try {
      std::lock_guard<std::mutex> lock(control_mu_);
      if (g_hot.state.load(std::memory_order_relaxed) == kNew) StartLocked(Options::FromEnvironment());
    } catch (...) {
      return nullptr;
    }
  }
  if (g_hot.state.load(std::memory_order_acquire) != kRunning) return nullptr;
  if (!t_ring_) {
    Ring* ring = nullptr;
    try {
      ring = new Ring(ring_size_.load(std::memory_order_relaxed));
      std::lock_guard<std::mutex> lock(rings_mu_);
      rings_.push_back(ring);
    } catch (...) {
      delete ring;
      return nullptr;
    }
    rings_version_.fetch_add(1, std::memory_order_release);
    t_ring_ = ring;
    t_owner.ring = ring;
  }
  return t_ring_;
}

void Backend::ThreadExiting(Ring* ring) noexcept {
  if (ring) ring->closed.store(true, std::memory_order_release);
  t_ring_ = kExiting;
}

Status Backend::Init(Options options) {
  if (options.idle_sleep.count() < 0) return InvalidArgument("log: negative idle_sleep");
  for (const auto& sink : options.sinks) {
    if (!sink) return InvalidArgument("log: null sink");
  }
  std::lock_guard<std::mutex> lock(control_mu_);
  if (g_hot.state.load() == kRunning) StopThreadLocked();
  StartLocked(std::move(options));
  return Status::Ok();
}

void Backend::StartLocked(Options options) {
  options_ = std::move(options);
  if (options_.sinks.empty()) options_.sinks = DefaultSinks();
  service_name_ = options_.service_name.empty() ? ServiceNameFromEnvironment()
                                                : options_.service_name;
  ring_size_.store(RingSize(options_.queue_bytes_per_thread), std::memory_order_relaxed);
  g_hot.block.store(options_.overflow == Overflow::kBlock, std::memory_order_relaxed);
  SetLevel(options_.level);
  stop_.store(false, std::memory_order_relaxed);
  thread_ = std::thread(&Backend::Run, this);
  g_hot.state.store(kRunning, std::memory_order_release);
  if (options_.crash_handlers) InstallCrashHandlers();
  static bool at_exit_registered = false;
  if (!at_exit_registered) {
    at_exit_registered = true;
    std::atexit([] { Backend::Get().Shutdown(); });
  }
}

void Backend::StopThreadLocked() noexcept {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
  }
  wake_cv_.notify_all();
  thread_.join();
}

void Backend::Shutdown() noexcept {
  if (thread_id_.load() == std::this_thread::get_id()) return;  // from a sink: cannot join
  std::lock_guard<std::mutex> lock(control_mu_);
  if (g_hot.state.load() != kRunning) return;
  StopThreadLocked();
  g_hot.state.store(kStopped, std::memory_order_release);
  options_.sinks.clear();
  {
    std::lock_guard<std::mutex> l(wake_mu_);
  }
  done_cv_.notify_all();
}

void Backend::Flush() noexcept {
  if (!running() || thread_id_.load() == std::this_thread::get_id()) return;
  uint64_t mine = flush_requested_.fetch_add(1, std::memory_order_acq_rel) + 1;
  std::unique_lock<std::mutex> lock(wake_mu_);
  wake_cv_.notify_all();
  done_cv_.wait(lock, [&] {
    return flush_done_.load(std::memory_order_acquire) >= mine || !running();
  });
}

void Backend::CrashFlush(int timeout_ms) noexcept {
  if (!running() || thread_id_.load() == std::this_thread::get_id()) return;
  uint64_t mine = crash_requested_.fetch_add(1, std::memory_order_acq_rel) + 1;
  timespec one_ms{0, 1000000};
  for (int i = 0; i < timeout_ms; ++i) {
    if (crash_done_.load(std::memory_order_acquire) >= mine) return;
    nanosleep(&one_ms, nullptr);
  }
}

Stats Backend::GetStats() noexcept {
  Stats s;
  std::lock_guard<std::mutex> lock(rings_mu_);
  for (Ring* r : rings_) {
    s.enqueued += r->enqueued();
    s.dropped += r->dropped();
  }
  s.enqueued += retired_enqueued_.load();
  s.dropped += retired_dropped_.load() + orphan_drops_.load();
  s.written = written_.load();
  return s;
}

void Backend::Run() {
  thread_id_.store(std::this_thread::get_id());
  if (!clock_) clock_ = std::make_unique<TickConverter>();
  auto last_calibration = std::chrono::steady_clock::now();
  std::chrono::microseconds idle{0};
  for (;;) {
    const bool stopping = stop_.load(std::memory_order_acquire);
    const uint64_t flush_req = flush_requested_.load(std::memory_order_acquire);
    const uint64_t crash_req = crash_requested_.load(std::memory_order_acquire);
    size_t n = DrainOnce();
    auto now = std::chrono::steady_clock::now();
    if (stopping) {
      // Producers may still be logging; take what is there, boundedly.
      for (int i = 0; i < 64 && DrainOnce() > 0; ++i) {
      }
    }
    ReportDrops(now, stopping || flush_req != flush_done_.load() ||
                         crash_req != crash_done_.load());
    for (auto& sink : options_.sinks) sink->Tick(now);
    if (stopping || flush_req != flush_done_.load(std::memory_order_relaxed) ||
        crash_req != crash_done_.load(std::memory_order_relaxed)) {
      for (auto& sink : options_.sinks) {
        try {
          sink->Flush();
        } catch (...) {
        }
      }
      crash_done_.store(crash_req, std::memory_order_release);
      flush_done_.store(flush_req, std::memory_order_release);
      {
        std::lock_guard<std::mutex> lock(wake_mu_);
      }
      done_cv_.notify_all();
      if (stopping) break;
    }
    ReleaseClosedRings();
    if (now - last_calibration >= std::chrono::seconds(1)) {
      clock_->Recalibrate();
      last_calibration = now;
    }
    if (n == 0) {
      // Back off while idle: each empty round doubles the sleep, up to
      // max_idle_sleep; producers wake us early when a queue passes half full.
      idle = std::min(idle == std::chrono::microseconds(0) ? options_.idle_sleep : idle * 2,
                      std::max(options_.idle_sleep, options_.max_idle_sleep));
      std::unique_lock<std::mutex> lock(wake_mu_);
      wake_pending_.store(false, std::memory_order_relaxed);
      wake_cv_.wait_for(lock, idle, [&] {
        return stop_.load(std::memory_order_relaxed) ||
               wake_pending_.load(std::memory_order_relaxed) ||
               flush_requested_.load(std::memory_order_relaxed) != flush_req;
      });
    } else {
      idle = std::chrono::microseconds(0);
    }
  }
  thread_id_.store(std::thread::id());
}

size_t Backend::DrainOnce() {
  if (rings_version_.load(std::memory_order_acquire) != snapshot_version_) {
    std::lock_guard<std::mutex> lock(rings_mu_);
    snapshot_version_ = rings_version_.load(std::memory_order_relaxed);
    rings_snapshot_ = rings_;
  }
  size_t n = 0;
  for (Ring* ring : rings_snapshot_) {
    ring->Available();
    while (const char* p = ring->Next()) {
      Dispatch(p);
      ++n;
    }
    ring->Release();
  }
  if (n) written_.fetch_add(n, std::memory_order_relaxed);
  return n;
}

void Backend::Dispatch(const char* queued) {
  QueuedHeader h;
  std::memcpy(&h, queued, sizeof h);
  const char* body = queued + sizeof h;
  Record r;
  r.time_unix_nano = clock_->ToUnixNanos(h.ticks);
  r.level = static_cast<Level>(h.level);
  r.logger = {body, h.name_size};
  r.message = {body + h.name_size, h.message_size};
  size_t head = sizeof h + h.name_size + h.message_size;
  r.fields = FieldList(queued + head, h.size - head, h.field_count);
  r.service_name = service_name_;
  r.file = h.file ? std::string_view(h.file) : std::string_view();
  r.line = h.line;
  r.trace_id = TraceId(h.trace_id);
  r.span_id = SpanId(h.span_id);
  r.trace_flags = h.trace_flags;
  if (options_.text_filter) {
    ApplyTextFilter(*options_.text_filter, r, filtered_message_, filtered_fields_);
  }
  for (auto& sink : options_.sinks) {
    try {
      sink->Consume(r);
    } catch (...) {
      // A sink that throws (out of memory) loses this record, not the logger.
    }
  }
}

// Tells the sinks, at most once a second, how many records were lost.
void Backend::ReportDrops(std::chrono::steady_clock::time_point now, bool force) {
  uint64_t total = retired_dropped_.load() + orphan_drops_.load();
  for (Ring* r : rings_snapshot_) total += r->dropped();
  if (total <= reported_drops_) return;
  if (!force && now - last_drop_report_ < std::chrono::seconds(1)) return;
  uint64_t delta = total - reported_drops_;
  reported_drops_ = total;
  last_drop_report_ = now;

  Field count("dropped", delta);
  char fields[64];
  size_t used = static_cast<size_t>(EncodeField(count, fields) - fields);
  Record r;
  r.time_unix_nano = RealtimeNanos();
  r.level = Level::kWarn;
  r.logger = "callpath.log";
  r.message = "log records dropped";
  r.service_name = service_name_;
  r.file = __FILE__;
  r.line = __LINE__;
  r.fields = FieldList(fields, used, 1);
  for (auto& sink : options_.sinks) {
    try {
      sink->Consume(r);
    } catch (...) {
    }
  }
}

void Backend::ReleaseClosedRings() {
  bool changed = false;
  for (Ring* ring : rings_snapshot_) {
    if (!ring->closed.load(std::memory_order_acquire)) continue;
    ring->Available();
    size_t n = 0;
    while (const char* p = ring->Next()) {
      Dispatch(p);
      ++n;
    }
    ring->Release();
    written_.fetch_add(n, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(rings_mu_);
    for (auto it = rings_.begin(); it != rings_.end(); ++it) {
      if (*it == ring) {
        rings_.erase(it);
        break;
      }
    }
    retired_enqueued_.fetch_add(ring->enqueued());
    retired_dropped_.fetch_add(ring->dropped());
    delete ring;
    changed = true;
  }
  if (changed) {
    std::lock_guard<std::mutex> lock(rings_mu_);
    rings_snapshot_ = rings_;
    snapshot_version_ = rings_version_.fetch_add(1) + 1;
  }
}

}  // namespace callpath::log::detail
