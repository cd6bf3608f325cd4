// The daemon's own counters, rendered as Prometheus text on GET /metrics.
//
// Every member is safe to update from any thread (relaxed atomics: the
// figures are statistics, not synchronisation).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "common/byte_budget.h"
#include "daemon/receive/http_types.h"

namespace callpath::daemon {

// Prometheus text format: one sample line (`labels` without braces, "" for
// none) and the HELP/TYPE lines of a metric.
void AppendMetricLine(std::string& out, const std::string& name, const std::string& labels, uint64_t v);
void AppendMetricHeader(std::string& out, const char* name, const char* type, const char* help);

// Cumulative latency histogram with fixed buckets (seconds).
class LatencyHistogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  void Observe(double seconds) noexcept;
  // Appends "<name>_bucket{labels,le=..}" lines, _sum and _count.
  void Render(const std::string& name, const std::string& labels, std::string& out) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

// Counters for one signal (spans or log records).
struct SignalCounters {
  std::atomic<uint64_t> received{0};  // items in decoded requests
  std::atomic<uint64_t> stored{0};    // items the store acknowledged
  std::atomic<uint64_t> rejected{0};  // invalid items (partial success) or undecodable bodies
  std::atomic<uint64_t> dropped{0};   // valid items refused because the queue was full
  std::atomic<uint64_t> failed{0};    // items the store failed to write
};

enum class Transport { kHttp = 0, kGrpc = 1 };
enum class Signal { kTraces = 0, kLogs = 1 };

struct DaemonMetrics {
  SignalCounters spans;
  SignalCounters logs;
  std::atomic<uint64_t> received_bytes{0};       // as sent (compressed if gzip)
  std::atomic<uint64_t> decompressed_bytes{0};   // after inflate
  std::atomic<uint64_t> http_requests_4xx{0};
  std::atomic<uint64_t> http_requests_5xx{0};
  // Export latency (receipt to answer), per transport and signal.
  LatencyHistogram export_latency[2][2];
  LatencyHistogram query_latency;
  LatencyHistogram store_write_latency;
  // Spans rejected because an earlier span of the same request had the
  // same trace and span id.
  std::atomic<uint64_t> duplicate_spans{0};
  // Spans and log records rejected for a timestamp outside the window
  // around their arrival (--max-item-age / --max-item-future).
  std::atomic<uint64_t> out_of_window_items{0};
  HttpServerCounters otlp_http_server;
  HttpServerCounters query_server;
  // The request bytes budget, when the daemon has one (rendered as gauges).
  const ByteBudget* body_budget = nullptr;

  SignalCounters& For(Signal s) noexcept { return s == Signal::kTraces ? spans : logs; }

  // Renders everything; `queue_depth` and `store_bytes` are sampled by the
  // caller at scrape time.
  std::string RenderPrometheus(uint64_t queue_depth, uint64_t queue_capacity,
                               uint64_t store_bytes) const;

 private:
  void RenderServerCounters(std::string& out) const;
};

}  // namespace callpath::daemon
