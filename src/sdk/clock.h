// The SDK's wall clock: Unix nanoseconds at the cost of one TSC read.
//
// clock_gettime through the vDSO costs 20-50 ns on the virtual machines
// services run on, and a span needs two readings. Where Linux reports an
// invariant TSC, NowUnixNano() reads the TSC and converts it with a rate
// measured against CLOCK_REALTIME; the anchor is refreshed about once a
// second by whichever thread notices it is stale, so the clock follows NTP
// adjustments. Until the first calibration (the first ~10 ms of use) and on
// machines without an invariant TSC it is plain clock_gettime.
#pragma once

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace callpath::detail {

// CLOCK_REALTIME, in nanoseconds since the Unix epoch.
uint64_t RealtimeNanos() noexcept;

// Thread-safe. Successive readings on one thread may step back by at most
// the calibration error at a re-anchoring (microseconds); callers that need
// end >= start clamp.
uint64_t FastNowUnixNano() noexcept;

// FastNowUnixNano in two halves, so a caller can take the reading first and
// convert it after other work: the TSC read is slow (~40 cycles) but does
// not stall the instructions that follow unless they need its result.
inline uint64_t ReadTicks() noexcept {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return 0;
#endif
}
// The Unix time of a ReadTicks() reading taken on this machine moments ago.
uint64_t TicksToUnixNano(uint64_t ticks) noexcept;

}  // namespace callpath::detail
