// Time lost between services: for every call from one service into
// another, how much longer the caller's span lasted than the callee's. The
// gap holds the network, queues and connection pools between them; a
// network delay shows here while neither side's own spans move.
#pragma once

#include <vector>

#include "analyze/diagnose.h"
#include "query/assembled_trace.h"

namespace callpath::analyze {

// Whether span `i` times a call into another service: a client span, or a
// span of unset kind nested in a span of its own service whose children are
// all of other services (what an agent that records no kinds writes for an
// outgoing call).
bool IsCallingSpan(const query::AssembledTrace& trace, size_t i);

// Appends one sample per cross-service call of `trace` timed by a calling
// span (without one, the caller's span holds its own work as well, and no
// gap can be told from it).
void CollectEdgeGaps(const query::AssembledTrace& trace, std::vector<EdgeGapSample>* out);

// Appends the self time of every span of `trace` that is not a calling span
// and has a child of another service (SelfTimeSample).
void CollectDirectCallerSelfTimes(const query::AssembledTrace& trace, std::vector<SelfTimeSample>* out);

}  // namespace callpath::analyze
