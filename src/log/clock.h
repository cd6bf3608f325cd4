// Timestamps for log records. The calling thread reads a cheap tick counter
// (the TSC on x86-64, where Linux reports it invariant); the background
// thread converts ticks to Unix nanoseconds with a calibration it refreshes
// against CLOCK_REALTIME, so records follow NTP adjustments within a second.
// Elsewhere ticks are CLOCK_REALTIME nanoseconds and conversion is identity.
#pragma once

#include <cstdint>
#include <ctime>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace callpath::log::detail {

inline uint64_t RealtimeNanos() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

#if defined(__x86_64__)
inline uint64_t Ticks() noexcept { return __rdtsc(); }
#else
inline uint64_t Ticks() noexcept { return RealtimeNanos(); }
#endif

// Owned by the background thread; not thread-safe.
class TickConverter {
 public:
  // Calibrates; takes about 10 ms on x86-64.
  TickConverter();
  // Re-anchors to CLOCK_REALTIME and refines the rate; call about once a
  // second.
  void Recalibrate();
  uint64_t ToUnixNanos(uint64_t ticks) const noexcept;

 private:
  struct Sample {
    uint64_t ticks;
    uint64_t nanos;
  };
  static Sample Take();

  Sample first_;
  Sample anchor_;
  double nanos_per_tick_ = 1.0;
};

}  // namespace callpath::log::detail
