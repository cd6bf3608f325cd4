#include "sdk/clock.h"

#include <atomic>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace callpath::detail {

uint64_t RealtimeNanos() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

#if defined(__x86_64__)
namespace {

// The kernel trusts the TSC as a clock only if it is invariant; so do we.
bool TscIsInvariant() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) {
      return line.find(" constant_tsc") != std::string::npos &&
             line.find(" nonstop_tsc") != std::string::npos;
    }
  }
  return false;
}

constexpr uint64_t kCalibrateAfterNs = 10'000'000;    // first rate after 10 ms
constexpr uint64_t kReanchorAfterNs = 1'000'000'000;  // then refresh every second
constexpr int kShift = 24;                            // fixed-point ns-per-tick

// Seqlock-protected conversion state. Readers never write; the one thread
// that wins the odd-sequence CAS refreshes it.
struct alignas(64) TscClock {
  std::atomic<uint64_t> seq{0};
  std::atomic<uint64_t> anchor_ticks{0};
  std::atomic<uint64_t> anchor_ns{0};
  std::atomic<uint64_t> mult{0};            // ns per tick << kShift; 0 = not calibrated
  std::atomic<uint64_t> stale_after_ticks{0};
  uint64_t first_ticks = 0;                 // written only under the odd sequence
  uint64_t first_ns = 0;
  int state = 0;                            // 0 unknown, 1 usable, -1 unusable
};

TscClock g_clock;

// A (ticks, ns) pair with the clock read bracketed as tightly as possible.
void Sample(uint64_t& ticks, uint64_t& ns) noexcept {
  ticks = 0;
  ns = 0;
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 4; ++i) {
    uint64_t t0 = __rdtsc();
    uint64_t n = RealtimeNanos();
    uint64_t t1 = __rdtsc();
    if (t1 - t0 < best) {
      best = t1 - t0;
      ticks = t0 + (t1 - t0) / 2;
      ns = n;
    }
  }
}

// Called with the sequence held odd by this thread.
void Refresh() noexcept {
  if (g_clock.state == 0) {
    g_clock.state = TscIsInvariant() ? 1 : -1;
    if (g_clock.state > 0) Sample(g_clock.first_ticks, g_clock.first_ns);
  }
  if (g_clock.state < 0) {
    g_clock.stale_after_ticks.store(UINT64_MAX, std::memory_order_relaxed);
    return;
  }
  uint64_t ticks = 0, ns = 0;
  Sample(ticks, ns);
  const uint64_t dt = ticks - g_clock.first_ticks;
  const uint64_t dn = ns - g_clock.first_ns;
  if (ticks <= g_clock.first_ticks || ns <= g_clock.first_ns || dn < kCalibrateAfterNs) {
    // Too early to measure the rate: look again a few milliseconds later
    // (10M ticks is 3-10 ms at any TSC rate of today's CPUs).
    g_clock.stale_after_ticks.store(ticks + 10'000'000, std::memory_order_relaxed);
    return;
  }
  const uint64_t mult = static_cast<uint64_t>((static_cast<__uint128_t>(dn) << kShift) / dt);
  g_clock.anchor_ticks.store(ticks, std::memory_order_relaxed);
  g_clock.anchor_ns.store(ns, std::memory_order_relaxed);
  g_clock.mult.store(mult, std::memory_order_relaxed);
  const uint64_t reanchor_ticks = static_cast<uint64_t>(
      (static_cast<__uint128_t>(kReanchorAfterNs) << kShift) / (mult ? mult : 1));
  g_clock.stale_after_ticks.store(ticks + reanchor_ticks, std::memory_order_relaxed);
}

}  // namespace

uint64_t FastNowUnixNano() noexcept { return TicksToUnixNano(__rdtsc()); }

uint64_t TicksToUnixNano(uint64_t now) noexcept {
  for (;;) {
    const uint64_t s0 = g_clock.seq.load(std::memory_order_acquire);
    const uint64_t stale = g_clock.stale_after_ticks.load(std::memory_order_relaxed);
    const uint64_t anchor_ticks = g_clock.anchor_ticks.load(std::memory_order_relaxed);
    const uint64_t anchor_ns = g_clock.anchor_ns.load(std::memory_order_relaxed);
    const uint64_t mult = g_clock.mult.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (g_clock.seq.load(std::memory_order_relaxed) != s0 || (s0 & 1)) {
      return RealtimeNanos();  // being refreshed right now: don't wait for it
    }
    if (now >= stale) {
      uint64_t expected = s0;
      if (g_clock.seq.compare_exchange_strong(expected, s0 + 1, std::memory_order_acquire)) {
        Refresh();
        g_clock.seq.store(s0 + 2, std::memory_order_release);
        if (g_clock.mult.load(std::memory_order_relaxed) == 0) return RealtimeNanos();
        continue;  // read the fresh state
      }
    }
    if (mult == 0) return RealtimeNanos();
    const uint64_t delta = now > anchor_ticks ? now - anchor_ticks : 0;
    return anchor_ns + static_cast<uint64_t>((static_cast<__uint128_t>(delta) * mult) >> kShift);
  }
}

#else

uint64_t FastNowUnixNano() noexcept { return RealtimeNanos(); }
uint64_t TicksToUnixNano(uint64_t) noexcept { return RealtimeNanos(); }

#endif

}  // namespace callpath::detail
