// Tail-sampling policies: what decides whether a whole trace is kept.
//
// The policies are those of the OpenTelemetry Collector's tail_sampling
// processor, configured with the same names (docs/scale-out.md, "Tail-based
// sampling"):
//
//   status_code        some span has one of `status_codes` (ERROR, OK, UNSET)
//   latency            the trace's duration (latest span end - earliest span
//                      start) is >= threshold_ms (and < upper_threshold_ms
//                      when that is set)
//   probabilistic      sampling_percentage of traces, by a hash of the trace
//                      id: every node and every restart decides alike
//   rate_limiting      at most spans_per_second (or traces_per_second) per
//                      service (the root span's, else the first span's)
//   string_attribute   some span or its resource has `key` with one of
//                      `values` (invert_match: none has)
//   numeric_attribute  some span or its resource has integer `key` in
//                      [min_value, max_value] (invert_match: none has)
//   always_sample      every trace
//   and                every sub-policy samples
//   composite          some sub-policy samples (an "or"; the Collector's
//                      rate allocation between sub-policies is not done)
//
// A trace is kept when any top-level policy samples it.
//
// Threads: a Policy is used by one thread at a time (the sampler's lock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "callpath/ids.h"
#include "store/model.h"

namespace callpath::daemon::sampling {

enum class PolicyType {
  kAlwaysSample,
  kStatusCode,
  kLatency,
  kProbabilistic,
  kRateLimiting,
  kStringAttribute,
  kNumericAttribute,
  kAnd,
  kComposite,
};

// One policy as configured (sampling_config.h parses it from YAML).
struct PolicyConfig {
  std::string name;  // labels its decisions in /metrics
  PolicyType type = PolicyType::kAlwaysSample;
  // status_code
  std::vector<store::SpanStatus> status_codes;
  // latency: 0 upper = no upper bound
  uint64_t threshold_ns = 0;
  uint64_t upper_threshold_ns = 0;
  // probabilistic: 0..100
  double sampling_percentage = 0;
  // rate_limiting: one of the two is > 0
  double spans_per_second = 0;
  double traces_per_second = 0;
  // string_attribute / numeric_attribute
  std::string key;
  std::vector<std::string> values;
  int64_t min_value = INT64_MIN;
  int64_t max_value = INT64_MAX;
  bool invert_match = false;
  // and / composite
  std::vector<PolicyConfig> sub_policies;
};

// What a policy sees of a held trace: its spans so far, each with its
// resource's attributes.
struct TraceView {
  TraceId trace_id;
  const std::vector<store::StoredSpan>* spans = nullptr;
  const std::vector<std::shared_ptr<const store::Attributes>>* span_resources = nullptr;
};

class Policy {
 public:
  virtual ~Policy() = default;
  // Whether `trace` is to be kept; `now_ns` is the decision time (rate limits).
  virtual bool Sample(const TraceView& trace, uint64_t now_ns) = 0;
};

// Builds the policy `config` describes (checked by sampling_config.h).
std::unique_ptr<Policy> MakePolicy(const PolicyConfig& config);

// The trace id's place in [0, 1): the hash probabilistic sampling compares
// with sampling_percentage / 100.
double TraceIdFraction(const TraceId& id) noexcept;

}  // namespace callpath::daemon::sampling
