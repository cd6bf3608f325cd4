// The statistics diagnose judges shifts with: how far a latency
// distribution moved against its own spread, how significant a change in a
// rate or a count is, and a common 0..1 strength scale for all of them.
// Pure functions; every input is accepted (empty sketches and zero counts
// give "no shift").
#pragma once

#include <cstdint>
#include <string>

#include "store/stats.h"

namespace callpath::analyze {

// How a latency distribution moved from the baseline to the window.
struct LatencyShift {
  // Signed size of the move in units of the baseline's own spread, scaled
  // down when either side has few samples: > 0 slower, < 0 faster.
  double effect = 0;
  double quantile = 0.5;     // the quantile that moved most (0.5 or 0.9)
  uint64_t before_ns = 0;    // that quantile in the baseline
  uint64_t after_ns = 0;     // ... and in the window
};

// Compares two distributions at p50 and p90. The spread is the baseline's
// distance to the next quantile (p90 - p50; for p90 the larger of p99 - p90
// and p90 - p50), at least a tenth of
// the quantile itself and 20 µs, so a constant baseline still has one. A
// move of less than 25 % of the quantile is no move (effect 0). The effect
// is scaled down when either side has few samples (under 20 for p50, under
// 100 for p90). Needs 5 baseline and 3 window samples; fewer give effect 0.
LatencyShift CompareLatency(const store::LatencySketch& baseline, const store::LatencySketch& window);

// Significance (a z-score, > 0 when the window's rate is higher) of
// `window_events` of `window_total` against `base_events` of `base_total`,
// the two-proportion test with the baseline's rate smoothed (no event in
// the baseline is not a rate of zero).
double ProportionShiftZ(uint64_t base_events, uint64_t base_total, uint64_t window_events,
                        uint64_t window_total);

// Significance of seeing `observed` events where `expected` were expected
// (Poisson; > 0 when more).
double CountShiftZ(double observed, double expected);

// Maps a significance or effect size onto 0..1: 0 up to `threshold`,
// rising towards 1 above it (threshold + scale gives 0.5).
double Strength(double z, double threshold, double scale);

// "850 µs", "12 ms", "1.25 s": three significant figures at most.
std::string FormatNs(double ns);
// "3.2 %" (a fraction 0..1 as a percentage).
std::string FormatPercent(double fraction);
// "12" or "12.5" (a count or a rate, at most one decimal).
std::string FormatCount(double value);

}  // namespace callpath::analyze
