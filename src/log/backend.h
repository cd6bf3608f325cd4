// The logger's process-wide engine: the per-thread rings, the background
// thread that drains them into the sinks, flush/shutdown, and the crash
// handlers. One instance, created on first use and never destroyed (so
// logging from static destructors cannot touch a dead object).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "callpath/log/options.h"
#include "log/clock.h"
#include "log/ring.h"

namespace callpath::log::detail {

// The sinks used when Options::sinks is empty (console, CALLPATH_LOG_FORMAT).
std::vector<std::shared_ptr<Sink>> DefaultSinks();
// OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES / unknown_service:<exe>.
std::string ServiceNameFromEnvironment();

enum BackendState : int { kNew, kRunning, kStopped };

// What every logging call reads besides its own logger and ring, kept
// together in one cache line of static storage: after a pause, when caches
// and TLBs have gone cold, each distinct line (and page) a call touches
// costs it about 0.1 us, so the fast path avoids the Backend object.
struct alignas(64) HotFlags {
  // The global level (SetLevel, Options::level, CALLPATH_LOG_LEVEL).
  std::atomic<uint8_t> level{static_cast<uint8_t>(Level::kInfo)};
  std::atomic<bool> block{false};  // Options::overflow == kBlock
  std::atomic<int> state{kNew};    // the Backend's BackendState
};
inline constinit HotFlags g_hot;

class Backend {
 public:
  static Backend& Get() noexcept {
    static Backend* const instance = new Backend();
    return *instance;
  }

  Status Init(Options options);
  void Flush() noexcept;
  void Shutdown() noexcept;
  Stats GetStats() noexcept;

  // The calling thread's ring, created (and the backend started from the
  // environment, if nobody called Init) on first use. nullptr when records
  // cannot be queued: after Shutdown, or while the thread is exiting.
  // Static so that the fast path touches neither the instance nor the
  // guard of Get()'s local static.
  static Ring* ThreadRing() noexcept {
    Ring* r = t_ring_;
    if (r && r != kExiting && g_hot.state.load(std::memory_order_relaxed) == kRunning) return r;
    return Get().ThreadRingSlow();
  }
  static bool block_when_full() noexcept { return g_hot.block.load(std::memory_order_relaxed); }
  static bool running() noexcept {
    return g_hot.state.load(std::memory_order_acquire) == kRunning;
  }
  // Producer side: wakes the background thread if it sleeps. Cheap when it
  // is already awake or a wake-up is already on its way.
  void Wake() noexcept {
    if (wake_pending_.load(std::memory_order_relaxed) ||
        wake_pending_.exchange(true, std::memory_order_acq_rel)) {
      return;
    }
    { std::lock_guard<std::mutex> lock(wake_mu_); }
    wake_cv_.notify_all();
  }

  // A record that could not be queued anywhere (no ring).
  void CountOrphanDrop() noexcept { orphan_drops_.fetch_add(1, std::memory_order_relaxed); }

  // From a signal handler: asks the background thread to write out
  // everything queued and waits up to `timeout_ms`. Uses only atomics and
  // nanosleep.
  void CrashFlush(int timeout_ms) noexcept;

  // Called once per thread, from its thread-local destructor.
  static void ThreadExiting(Ring* ring) noexcept;

 private:
  static inline Ring* const kExiting = reinterpret_cast<Ring*>(1);
  // constinit: no dynamic initialisation, so reading it from another
  // translation unit needs no TLS wrapper call or init guard.
  static inline constinit thread_local Ring* t_ring_ = nullptr;

  Backend() = default;
  Ring* ThreadRingSlow() noexcept;
  void StartLocked(Options options);
  void StopThreadLocked() noexcept;
  void Run();
  size_t DrainOnce();
  void Dispatch(const char* queued);
  void ReportDrops(std::chrono::steady_clock::time_point now, bool force);
  void ReleaseClosedRings();

  std::mutex control_mu_;  // serialises Init / Shutdown / lazy start
  std::atomic<size_t> ring_size_{1 << 20};
  Options options_;        // written only while the thread is stopped
  // The background thread's copies of a record's filtered message and
  // fields (Options::text_filter), reused from record to record.
  std::string filtered_message_;
  std::string filtered_fields_;
  std::string service_name_;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};

  std::mutex rings_mu_;
  std::vector<Ring*> rings_;           // guarded by rings_mu_
  std::atomic<uint64_t> rings_version_{0};
  std::vector<Ring*> rings_snapshot_;  // background thread only
  uint64_t snapshot_version_ = UINT64_MAX;
  std::atomic<uint64_t> retired_enqueued_{0};
  std::atomic<uint64_t> retired_dropped_{0};
  std::atomic<uint64_t> orphan_drops_{0};
  std::atomic<uint64_t> written_{0};
  uint64_t reported_drops_ = 0;
  std::chrono::steady_clock::time_point last_drop_report_{};

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;    // background thread sleeps here
  std::condition_variable done_cv_;    // Flush callers wait here
  std::atomic<bool> stop_{false};
  std::atomic<bool> wake_pending_{false};
  std::atomic<uint64_t> flush_requested_{0};
  std::atomic<uint64_t> flush_done_{0};
  std::atomic<uint64_t> crash_requested_{0};
  std::atomic<uint64_t> crash_done_{0};

  std::unique_ptr<TickConverter> clock_;  // background thread only
};

}  // namespace callpath::log::detail
