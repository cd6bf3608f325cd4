// Small hand-built traces for the query tests.
#pragma once

#include <string>
#include <vector>

#include "store/model.h"

namespace callpath::query::testing {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kT0 = 1'700'000'000'000'000'000ull;

inline TraceId TestTrace() {
  TraceId t;
  t.mutable_bytes()[0] = 0x4b;
  t.mutable_bytes()[15] = 0xf9;
  return t;
}
inline SpanId Sid(uint8_t n) {
  SpanId s;
  s.mutable_bytes()[7] = n;
  return s;
}
// Times in ms after kT0.
inline store::StoredSpan S(uint8_t id, uint8_t parent, std::string service, std::string op,
                           uint64_t start_ms, uint64_t dur_ms, bool error = false) {
  store::StoredSpan s;
  s.trace_id = TestTrace();
  s.span_id = Sid(id);
  if (parent) s.parent_span_id = Sid(parent);
  s.service = std::move(service);
  s.operation = std::move(op);
  s.kind = store::SpanKind::kServer;
  s.start_ns = kT0 + start_ms * kMs;
  s.duration_ns = dur_ms * kMs;
  if (error) s.status = store::SpanStatus::kError;
  s.resource_attributes = {{"service.name", store::Value::String(s.service)}};
  return s;
}

}  // namespace callpath::query::testing
