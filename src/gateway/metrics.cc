#include "gateway/metrics.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <thread>

namespace callpath::gateway {
namespace {

// Builds "a\0b" keys in a reused per-thread buffer: no allocation per
// request once the series exists.
const std::string& Key2(std::string_view a, std::string_view b) {
  thread_local std::string key;
  key.assign(a);
  key.push_back('\0');
  key.append(b);
  return key;
}

template <typename Map, typename V>
void Bump(Map& map, std::string_view key, V delta) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::string(key), typename Map::mapped_type{}).first;
  it->second += delta;
}

std::pair<std::string_view, std::string_view> Split(const std::string& key) {
  size_t z = key.find('\0');
  return {std::string_view(key).substr(0, z), std::string_view(key).substr(z + 1)};
}

void AppendDouble(std::string& out, double v) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.9g", v);
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace

Metrics::Stripe& Metrics::Mine() {
  thread_local const size_t index = std::hash<std::thread::id>()(std::this_thread::get_id());
  return stripes_[index % kStripes];
}

void Metrics::CountRequest(std::string_view route, int status) {
  char code[8];
  int n = std::snprintf(code, sizeof code, "%d", status);
  const std::string& key = Key2(route, std::string_view(code, static_cast<size_t>(n)));
  Stripe& s = Mine();
  std::lock_guard lock(s.mu);
  Bump(s.requests, key, uint64_t{1});
}

void Metrics::ObserveAttempt(std::string_view upstream, std::string_view outcome,
                             double seconds) {
  const std::string& key = Key2(upstream, outcome);
  size_t bucket = static_cast<size_t>(
      std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
  Stripe& s = Mine();
  std::lock_guard lock(s.mu);
  Bump(s.attempts, key, uint64_t{1});
  auto it = s.latency.find(upstream);
  if (it == s.latency.end()) it = s.latency.emplace(std::string(upstream), Histogram{}).first;
  it->second.counts[bucket]++;
  it->second.sum += seconds;
  it->second.count++;
}

void Metrics::CountRetry(std::string_view upstream) {
  Stripe& s = Mine();
  std::lock_guard lock(s.mu);
  Bump(s.retries, upstream, uint64_t{1});
}

void Metrics::CountRetryRefused(std::string_view upstream) {
  Stripe& s = Mine();
  std::lock_guard lock(s.mu);
  Bump(s.retries_refused, upstream, uint64_t{1});
}

void Metrics::CountOverloaded() {
  Stripe& s = Mine();
  std::lock_guard lock(s.mu);
  ++s.overloaded;
}

void Metrics::CountReload(bool ok) {
  Stripe& s = Mine();
  std::lock_guard lock(s.mu);
  (ok ? s.reloads_ok : s.reloads_failed)++;
}

std::string Metrics::EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

// The upstream_request_duration_seconds series, one histogram per
// upstream. A template so it can take Metrics' private Histogram type.
template <typename HistogramMap>
void AppendLatencyHistograms(std::string& out, const HistogramMap& latency) {
  for (const auto& [k, h] : latency) {
    const std::string label = "upstream=\"" + Metrics::EscapeLabel(k) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < Metrics::kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out += "callpath_gateway_upstream_request_duration_seconds_bucket{" + label + ",le=\"";
      AppendDouble(out, Metrics::kBuckets[i]);
      out += "\"} " + std::to_string(cumulative) + "\n";
    }
    cumulative += h.counts.back();
    out += "callpath_gateway_upstream_request_duration_seconds_bucket{" + label +
           ",le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
    out += "callpath_gateway_upstream_request_duration_seconds_sum{" + label + "} ";
    AppendDouble(out, h.sum);
    out += "\ncallpath_gateway_upstream_request_duration_seconds_count{" + label + "} " +
           std::to_string(h.count) + "\n";
  }
}

}  // namespace

void Metrics::Render(std::string& out) const {
  std::map<std::string, uint64_t> requests, attempts, retries, retries_refused;
  uint64_t overloaded = 0;
  std::map<std::string, Histogram> latency;
  uint64_t reloads_ok = 0, reloads_failed = 0;
  for (Stripe& s : stripes_) {
    std::lock_guard lock(s.mu);
    for (const auto& [k, v] : s.requests) requests[k] += v;
    for (const auto& [k, v] : s.attempts) attempts[k] += v;
    for (const auto& [k, v] : s.retries) retries[k] += v;
    for (const auto& [k, v] : s.retries_refused) retries_refused[k] += v;
    overloaded += s.overloaded;
    for (const auto& [k, h] : s.latency) {
      Histogram& t = latency[k];
      for (size_t i = 0; i < h.counts.size(); ++i) t.counts[i] += h.counts[i];
      t.sum += h.sum;
      t.count += h.count;
    }
    reloads_ok += s.reloads_ok;
    reloads_failed += s.reloads_failed;
  }

  out += "# HELP callpath_gateway_requests_total Requests answered, by matched route and status.\n"
         "# TYPE callpath_gateway_requests_total counter\n";
  for (const auto& [k, v] : requests) {
    auto [route, status] = Split(k);
    out += "callpath_gateway_requests_total{route=\"" + EscapeLabel(route) + "\",status=\"" +
           std::string(status) + "\"} " + std::to_string(v) + "\n";
  }
  out += "# HELP callpath_gateway_upstream_attempts_total Upstream attempts, by outcome.\n"
         "# TYPE callpath_gateway_upstream_attempts_total counter\n";
  for (const auto& [k, v] : attempts) {
    auto [upstream, outcome] = Split(k);
    out += "callpath_gateway_upstream_attempts_total{upstream=\"" + EscapeLabel(upstream) +
           "\",outcome=\"" + std::string(outcome) + "\"} " + std::to_string(v) + "\n";
  }
  out += "# HELP callpath_gateway_upstream_retries_total Attempts beyond the first.\n"
         "# TYPE callpath_gateway_upstream_retries_total counter\n";
  for (const auto& [k, v] : retries) {
    out += "callpath_gateway_upstream_retries_total{upstream=\"" + EscapeLabel(k) + "\"} " +
           std::to_string(v) + "\n";
  }
  out += "# HELP callpath_gateway_upstream_retries_refused_total Retries the retry budget did not allow.\n"
         "# TYPE callpath_gateway_upstream_retries_refused_total counter\n";
  for (const auto& [k, v] : retries_refused) {
    out += "callpath_gateway_upstream_retries_refused_total{upstream=\"" + EscapeLabel(k) + "\"} " +
           std::to_string(v) + "\n";
  }
  out += "# HELP callpath_gateway_overloaded_total Requests refused with 503: request bytes budget full.\n"
         "# TYPE callpath_gateway_overloaded_total counter\n"
         "callpath_gateway_overloaded_total " + std::to_string(overloaded) + "\n";
  out += "# HELP callpath_gateway_upstream_request_duration_seconds Time of one upstream "
         "attempt.\n"
         "# TYPE callpath_gateway_upstream_request_duration_seconds histogram\n";
  AppendLatencyHistograms(out, latency);
  out += "# HELP callpath_gateway_config_reloads_total SIGHUP reloads, by result.\n"
         "# TYPE callpath_gateway_config_reloads_total counter\n"
         "callpath_gateway_config_reloads_total{result=\"ok\"} " +
         std::to_string(reloads_ok) +
         "\ncallpath_gateway_config_reloads_total{result=\"rejected\"} " +
         std::to_string(reloads_failed) + "\n";
}

}  // namespace callpath::gateway
