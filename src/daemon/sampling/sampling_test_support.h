// Spans, logs and configs for the tail-sampling tests.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "daemon/sampling/tail_sampler.h"

namespace callpath::daemon::sampling::testing {

inline constexpr uint64_t kMs = 1'000'000;
inline constexpr uint64_t kSec = 1'000'000'000;
inline constexpr uint64_t kT0 = 1'700'000'000ull * kSec;

inline TraceId Tid(uint32_t n) {
  TraceId t;
  t.mutable_bytes()[0] = 1;
  std::memcpy(t.mutable_bytes().data() + 8, &n, 4);
  return t;
}

inline store::StoredSpan Span(uint32_t trace, uint8_t id, uint8_t parent, std::string service, uint64_t start,
                              uint64_t duration, store::SpanStatus status = store::SpanStatus::kUnset) {
  store::StoredSpan s;
  s.trace_id = Tid(trace);
  s.span_id.mutable_bytes()[0] = 1;
  s.span_id.mutable_bytes()[7] = id;
  if (parent != 0) {
    s.parent_span_id.mutable_bytes()[0] = 1;
    s.parent_span_id.mutable_bytes()[7] = parent;
  }
  s.service = service;
  s.operation = "op";
  s.start_ns = start;
  s.duration_ns = duration;
  s.status = status;
  s.resource_attributes = {{"service.name", store::Value::String(std::move(service))}};
  return s;
}

inline store::StoredLog Log(uint32_t trace, std::string service, uint64_t time, std::string body) {
  store::StoredLog l;
  if (trace != 0) l.trace_id = Tid(trace);
  l.time_ns = time;
  l.observed_ns = time;
  l.severity_number = 9;
  l.body = store::Value::String(std::move(body));
  l.service = service;
  l.resource_attributes = {{"service.name", store::Value::String(std::move(service))}};
  return l;
}

inline PolicyConfig Errors() {
  PolicyConfig p;
  p.name = "errors";
  p.type = PolicyType::kStatusCode;
  p.status_codes = {store::SpanStatus::kError};
  return p;
}

inline PolicyConfig SlowerThan(uint64_t ns) {
  PolicyConfig p;
  p.name = "slow";
  p.type = PolicyType::kLatency;
  p.threshold_ns = ns;
  return p;
}

inline PolicyConfig Percent(double percent) {
  PolicyConfig p;
  p.name = "some";
  p.type = PolicyType::kProbabilistic;
  p.sampling_percentage = percent;
  return p;
}

inline SamplingConfig Config(std::vector<PolicyConfig> policies, uint64_t wait = 100 * kMs) {
  SamplingConfig c;
  c.decision_wait_ns = wait;
  c.max_decision_wait_ns = 100 * wait;
  c.policies = std::move(policies);
  return c;
}

// The trace ids of the kept spans of `d`, one per span.
inline std::vector<TraceId> KeptSpanTraces(const std::optional<Decisions>& d) {
  std::vector<TraceId> out;
  if (d)
    for (const auto& s : d->kept.spans) out.push_back(s.trace_id);
  return out;
}

}  // namespace callpath::daemon::sampling::testing
