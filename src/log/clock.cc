#include "log/clock.h"

#include <chrono>
#include <thread>

namespace callpath::log::detail {

TickConverter::TickConverter() {
  first_ = anchor_ = Take();
#if defined(__x86_64__)
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  Recalibrate();
#endif
}

// A (ticks, realtime) pair taken as close together as possible: the tick
// reads bracketing the clock read that are nearest to each other win.
TickConverter::Sample TickConverter::Take() {
  Sample best{Ticks(), RealtimeNanos()};
#if defined(__x86_64__)
  uint64_t best_gap = UINT64_MAX;
  for (int i = 0; i < 8; ++i) {
    uint64_t t0 = Ticks();
    uint64_t ns = RealtimeNanos();
    uint64_t t1 = Ticks();
    if (t1 - t0 < best_gap) {
      best_gap = t1 - t0;
      best = {t0 + (t1 - t0) / 2, ns};
    }
  }
#endif
  return best;
}

void TickConverter::Recalibrate() {
#if defined(__x86_64__)
  Sample now = Take();
  if (now.ticks > first_.ticks && now.nanos > first_.nanos) {
    nanos_per_tick_ =
        static_cast<double>(now.nanos - first_.nanos) / static_cast<double>(now.ticks - first_.ticks);
  }
  anchor_ = now;
#endif
}

uint64_t TickConverter::ToUnixNanos(uint64_t ticks) const noexcept {
#if defined(__x86_64__)
  double delta = static_cast<double>(static_cast<int64_t>(ticks - anchor_.ticks)) * nanos_per_tick_;
  return anchor_.nanos + static_cast<int64_t>(delta);
#else
  return ticks;
#endif
}

}  // namespace callpath::log::detail
