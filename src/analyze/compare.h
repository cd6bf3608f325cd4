// Trace compare: what differs between two traces of (usually) the same
// request, say a slow or failed one and a healthy one.
//
// Spans are matched by their path from the root: the chain of
// service:operation names down to them, repeated siblings of the same name
// matched in start order (the second "GET /item" under a span with the
// second). Each matched pair is compared for duration (beyond noise: both a
// relative and an absolute threshold) and status, and carries its self time
// (duration minus its children's, query::SelfTimes) to say where the time
// went;
// spans present in only one trace are listed; log templates (log_template.h)
// present in one trace's log records and not the other's are listed per
// service.
//
// Pure and thread-compatible; any input is accepted (an empty trace matches
// nothing and every span of the other is "only in" it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/assembled_trace.h"
#include "store/model.h"

namespace callpath::analyze {

struct CompareOptions {
  // A matched span is slower or faster only when its duration changed by
  // at least this share of the shorter one AND this many nanoseconds.
  double min_relative_change = 0.25;
  uint64_t min_absolute_change_ns = 1'000'000;
};

enum class SpanChange { kOnlyInA, kOnlyInB, kSlower, kFaster, kStatus };
// "only_in_a", "only_in_b", "slower", "faster", "status".
const char* SpanChangeName(SpanChange change) noexcept;

// One span (pair) that differs. `a`/`b` index into the traces' spans, -1
// where the span is absent. "slower" means b's span took longer than a's.
struct SpanDifference {
  SpanChange change = SpanChange::kSlower;
  std::string path;  // "frontend:GET /checkout > payment:Charge#2" (#n from the second sibling on)
  std::string service;
  std::string operation;
  int a = -1;
  int b = -1;
  uint64_t a_duration_ns = 0, b_duration_ns = 0;
  uint64_t a_self_ns = 0, b_self_ns = 0;   // self time (query::SelfTimes)
  store::SpanStatus a_status = store::SpanStatus::kUnset, b_status = store::SpanStatus::kUnset;
  bool status_changed = false;            // also set on kSlower/kFaster pairs whose status changed
};

// A log template seen in one trace and not in the other.
struct TemplateDifference {
  std::string service;
  uint64_t template_id = 0;
  std::string text;          // the template
  int32_t severity_number = 0;  // the highest among its records
  size_t count = 0;          // records of it in the trace that has it
  bool in_a = false;         // true: only in a; false: only in b
};

struct TraceComparison {
  TraceId a, b;
  uint64_t a_duration_ns = 0, b_duration_ns = 0;
  size_t a_spans = 0, b_spans = 0;
  size_t matched = 0;                      // span pairs matched by path
  // Status changes first, then spans present in one trace only, then
  // slower/faster pairs by the size of the change, largest first.
  std::vector<SpanDifference> spans;
  std::vector<TemplateDifference> templates;
  std::string summary;  // one sentence
};

TraceComparison CompareTraces(const query::AssembledTrace& a, const std::vector<store::StoredLog>& a_logs,
                              const query::AssembledTrace& b, const std::vector<store::StoredLog>& b_logs,
                              const CompareOptions& options = {});

// The document GET /api/v1/compare answers:
//   {"a":{"trace_id","duration_ns","span_count"}, "b":{...}, "matched":N,
//    "summary":"...",
//    "spans":[{"change","path","service","operation","a":{"span_id",
//              "duration_ns","self_ns","status"}|null,"b":{...}|null,
//              "status_changed"}],
//    "log_templates":[{"only_in":"a"|"b","service","template","template_id",
//                      "severity_number","count"}]}
std::string RenderComparison(const TraceComparison& comparison, const query::AssembledTrace& a,
                             const query::AssembledTrace& b);

}  // namespace callpath::analyze
