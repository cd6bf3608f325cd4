// The `tail_sampling` section of callpathd's YAML config:
//
//   tail_sampling:
//     decision_wait: 10s        # decide a trace once it has been quiet this long
//     max_decision_wait: 60s    # ... or once it has been held this long
//     max_traces: 50000         # traces held at once; at the cap the oldest is decided early
//     decision_cache: 100000    # recent decisions remembered for late spans
//     logs_follow_trace: true   # a trace's log records are kept or dropped with it
//     policies:
//       - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
//       - {name: slow, type: latency, latency: {threshold_ms: 500}}
//       - {name: some, type: probabilistic, probabilistic: {sampling_percentage: 10}}
//
// Policy keys follow the OpenTelemetry Collector's tail_sampling processor
// (policy.h lists them). No section, or no policies: sampling is off and
// every span is stored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "callpath/status.h"
#include "daemon/sampling/policy.h"

namespace YAML {
class Node;
}

namespace callpath::daemon::sampling {

struct SamplingConfig {
  uint64_t decision_wait_ns = 10'000'000'000ull;
  // A trace that never goes quiet (a long stream of spans) is decided after
  // this long anyway, so memory and the WAL it pins stay bounded.
  uint64_t max_decision_wait_ns = 60'000'000'000ull;
  // Traces held at once. Each costs its spans and log records as converted
  // (about 1.4 KB per span of the loadgen's shape, docs/benchmarks.md
  // "Tail sampling": 50,000 traces of 10 spans take ~720 MB).
  uint64_t max_traces = 50'000;
  // Decisions remembered after a trace is decided, so its late spans follow
  // the decision; a late span of a forgotten trace starts a new one.
  uint64_t decision_cache = 100'000;
  bool logs_follow_trace = true;
  std::vector<PolicyConfig> policies;

  bool enabled() const noexcept { return !policies.empty(); }
};

// Reads a `tail_sampling` mapping into `out`. Unknown keys, wrong types and
// policies missing their settings are errors naming the key.
Status ParseSamplingConfig(const YAML::Node& node, SamplingConfig* out);

}  // namespace callpath::daemon::sampling
