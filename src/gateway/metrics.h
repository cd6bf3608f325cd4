// The gateway's Prometheus metrics, rendered in the text exposition format
// on the admin port's /metrics:
//
//   callpath_gateway_requests_total{route,status}       requests answered
//   callpath_gateway_upstream_request_duration_seconds  histogram per upstream attempt
//   callpath_gateway_upstream_attempts_total{upstream,outcome}
//   callpath_gateway_upstream_retries_total{upstream}
//   callpath_gateway_upstream_retries_refused_total{upstream}   over the retry budget
//   callpath_gateway_overloaded_total                   503: request bytes budget full
//   callpath_gateway_config_reloads_total{result}
//   (+ callpath_gateway_upstream_healthy, written by the caller of Render)
//
// Threads: every method may be called from any thread. Updates lock one of
// several stripes chosen by the calling thread, so worker threads rarely
// contend; Render locks them all in turn.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace callpath::gateway {

class Metrics {
 public:
  // The histogram's upper bounds in seconds (+Inf is implicit).
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                       0.025,  0.05,  0.1,    0.25,  0.5,
                                                       1,      2.5,   5,      10};

  // `route` is the matched path prefix, or "" for requests that matched none.
  void CountRequest(std::string_view route, int status);
  // One upstream attempt that took `seconds`; `outcome` is "response",
  // "connect_failure", "timeout" or "connection_reset".
  void ObserveAttempt(std::string_view upstream, std::string_view outcome, double seconds);
  void CountRetry(std::string_view upstream);
  // A retry the retry budget did not allow.
  void CountRetryRefused(std::string_view upstream);
  void CountReload(bool ok);
  // A request refused because the request bytes budget was full.
  void CountOverloaded();

  // Appends every series above to `out`.
  void Render(std::string& out) const;

  // Escapes a label value (backslash, quote, newline).
  static std::string EscapeLabel(std::string_view value);

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size() + 1> counts{};  // last: above every bound
    double sum = 0;
    uint64_t count = 0;
  };
  struct Stripe {
    std::mutex mu;
    std::map<std::string, uint64_t, std::less<>> requests;  // route '\0' status
    std::map<std::string, uint64_t, std::less<>> attempts;  // upstream '\0' outcome
    std::map<std::string, uint64_t, std::less<>> retries;   // upstream
    std::map<std::string, uint64_t, std::less<>> retries_refused;  // upstream
    std::map<std::string, Histogram, std::less<>> latency;  // upstream
    uint64_t reloads_ok = 0, reloads_failed = 0;
    uint64_t overloaded = 0;
  };
  static constexpr size_t kStripes = 16;
  Stripe& Mine();

  mutable std::array<Stripe, kStripes> stripes_;  // Render only locks
};

}  // namespace callpath::gateway
