// Trace assembly and analysis: from the flat list of spans a store returns
// to a tree an engineer can read - with clock skew corrected, the critical
// path marked and the likely root cause ranked first.
//
// All functions are pure (no I/O), thread-compatible, and accept any input:
// duplicate span ids, cycles, missing parents and absurd times are handled
// (orphans hang under the root; a span is never its own ancestor).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/model.h"

namespace callpath::query {

// A clock-skew correction applied to one span (and its whole subtree):
// its times were shifted by `delta_ns` so that it fits inside its parent.
struct SkewAdjustment {
  size_t span = 0;       // index into AssembledTrace::spans
  int64_t delta_ns = 0;  // added to start_ns of the span and its descendants
  std::string reason;    // e.g. "child started before parent (other service)"
};

struct AssembledTrace {
  TraceId trace_id;
  // Spans ordered by start time (after adjustment), duplicates removed.
  std::vector<store::StoredSpan> spans;
  // parent[i]: index of the parent of spans[i], or -1 for the root and for
  // spans with no parent at all. Orphans (parent id not in the trace) are
  // attached to the root and listed in `orphans`.
  std::vector<int> parent;
  std::vector<std::vector<size_t>> children;  // ordered by start time
  int root = -1;             // -1 only for an empty trace
  std::vector<size_t> orphans;
  std::vector<size_t> depth;  // root = 0
  std::vector<SkewAdjustment> adjustments;
  // Per-span human-readable warnings (e.g. "parent span not found"),
  // rendered by Jaeger JSON as span.warnings.
  std::vector<std::vector<std::string>> warnings;

  uint64_t start_ns() const noexcept;
  uint64_t end_ns() const noexcept;
};

struct AssembleOptions {
  // Shift child spans of another service that lie outside their parent.
  bool adjust_clock_skew = true;
  // A shift larger than this is not made (the span gets a warning saying
  // so): a child minutes away from its parent is more likely mislinked
  // than skewed. 0 = no limit.
  uint64_t max_clock_skew_ns = 600'000'000'000ull;  // 10 minutes
};

AssembledTrace AssembleTrace(std::vector<store::StoredSpan> spans,
                             const AssembleOptions& options = {});

// One stretch of the critical path: span `span` was what the trace waited
// on from start_ns to end_ns.
struct CriticalSegment {
  size_t span = 0;
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
};
// The chain of spans that determines the trace's duration, walking back
// from the root's end: at each point the latest-ending child that finished
// before the current point is what the parent waited on. Segments are in
// time order and cover the root's span without overlap.
std::vector<CriticalSegment> CriticalPath(const AssembledTrace& trace);

// Self time: duration minus the union of the children's time inside it.
std::vector<uint64_t> SelfTimes(const AssembledTrace& trace);

struct RootCauseCandidate {
  size_t span = 0;
  double score = 0;    // higher = more likely; comparable within one list
  std::string reason;  // e.g. "deepest erroring span; no erroring children"
};
struct RootCauseReport {
  // Spans with status ERROR: the deepest erroring span whose children do
  // not error first, then other erroring spans by depth (deepest first).
  std::vector<RootCauseCandidate> errors;
  // Spans by self time, largest first (at most 10).
  std::vector<RootCauseCandidate> slow;
};
RootCauseReport RankRootCauses(const AssembledTrace& trace);

}  // namespace callpath::query
