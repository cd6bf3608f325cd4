#include "analyze/diagnose_shift.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace callpath::analyze {
namespace {

constexpr double kMinSpreadNs = 20'000;  // 20 µs: below this, timer noise
constexpr double kMinRelativeMove = 0.25;

// One quantile's move in units of `spread`; 0 when the move is too small to
// matter however steady the baseline.
double QuantileEffect(double before, double after, double spread) {
  double delta = after - before;
  if (std::fabs(delta) < kMinRelativeMove * std::max(before, kMinSpreadNs)) return 0;
  return delta / std::max({spread, 0.1 * before, kMinSpreadNs});
}

}  // namespace

LatencyShift CompareLatency(const store::LatencySketch& baseline, const store::LatencySketch& window) {
  LatencyShift out;
  if (baseline.count() < 5 || window.count() < 3) return out;
  double b50 = static_cast<double>(baseline.Quantile(0.5));
  double b90 = static_cast<double>(baseline.Quantile(0.9));
  double b99 = static_cast<double>(baseline.Quantile(0.99));
  double w50 = static_cast<double>(window.Quantile(0.5));
  double w90 = static_cast<double>(window.Quantile(0.9));
  // A quantile of few samples is itself noisy: trust it in proportion to
  // the square root of the samples of the smaller side, in full from 20 for
  // the median and from 100 for p90 (a tenth of the samples make the tail).
  double n = static_cast<double>(std::min(baseline.count(), window.count()));
  double e50 = QuantileEffect(b50, w50, b90 - b50) * std::min(1.0, std::sqrt(n / 20.0));
  // p99 of a small baseline is little more than its maximum: the tail's
  // spread is at least the body's.
  double e90 = QuantileEffect(b90, w90, std::max(b99 - b90, b90 - b50)) * std::min(1.0, std::sqrt(n / 100.0));
  bool tail = std::fabs(e90) > std::fabs(e50);
  out.effect = tail ? e90 : e50;
  out.quantile = tail ? 0.9 : 0.5;
  out.before_ns = static_cast<uint64_t>(tail ? b90 : b50);
  out.after_ns = static_cast<uint64_t>(tail ? w90 : w50);
  return out;
}

double ProportionShiftZ(uint64_t base_events, uint64_t base_total, uint64_t window_events,
                        uint64_t window_total) {
  if (window_total == 0) return 0;
  double nb = static_cast<double>(base_total), nw = static_cast<double>(window_total);
  // Smoothed baseline rate: half an event in one more call.
  double pb = (static_cast<double>(base_events) + 0.5) / (nb + 1.0);
  double pw = static_cast<double>(window_events) / nw;
  // The variance of the difference: the window's binomial spread plus the
  // uncertainty of the baseline's own estimate.
  double var = pb * (1 - pb) / nw + pb * (1 - pb) / (nb + 1.0);
  return (pw - pb) / std::sqrt(std::max(var, 1e-12));
}

double CountShiftZ(double observed, double expected) {
  return (observed - expected) / std::sqrt(std::max(expected, 0.0) + 1.0);
}

double Strength(double z, double threshold, double scale) {
  if (!(z > threshold)) return 0;
  double x = z - threshold;
  return x / (x + scale);
}

std::string FormatNs(double ns) {
  char buf[32];
  auto fmt = [&](double v, const char* unit) {
    if (v >= 100) {
      std::snprintf(buf, sizeof buf, "%.0f %s", v, unit);
    } else if (v >= 10) {
      std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
    } else {
      std::snprintf(buf, sizeof buf, "%.2f %s", v, unit);
    }
    // "12.0 ms" reads better as "12 ms".
    std::string s = buf;
    size_t dot = s.find('.');
    if (dot != std::string::npos) {
      size_t sp = s.find(' ');
      size_t last = sp - 1;
      while (last > dot && s[last] == '0') --last;
      if (last == dot) --last;
      s.erase(last + 1, sp - last - 1);
    }
    return s;
  };
  if (ns < 1'000) return fmt(ns, "ns");
  if (ns < 1'000'000) return fmt(ns / 1e3, "\xc2\xb5s");
  if (ns < 1'000'000'000) return fmt(ns / 1e6, "ms");
  return fmt(ns / 1e9, "s");
}

std::string FormatPercent(double fraction) {
  char buf[32];
  double p = fraction * 100;
  std::snprintf(buf, sizeof buf, p >= 10 || p == 0 ? "%.0f %%" : "%.1f %%", p);
  return buf;
}

std::string FormatCount(double value) {
  char buf[32];
  if (std::fabs(value - std::round(value)) < 0.05) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", value);
  }
  return buf;
}

}  // namespace callpath::analyze
