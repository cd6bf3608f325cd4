// Time lost between services: for every call from one service into
// another, how much longer the caller's span lasted than the callee's. The
// gap holds the network, queues and connection pools between them; a
// network delay shows here while neither side's own spans move.
#pragma once

#include <vector>

#include "analyze/diagnose.h"
#include "query/assembled_trace.h"

namespace callpath::analyze {

// Appends one sample per cross-service call of `trace` whose caller span
// times exactly that call: a client span, or a span of unset kind whose
// only child is the callee's span.
void CollectEdgeGaps(const query::AssembledTrace& trace, std::vector<EdgeGapSample>* out);

}  // namespace callpath::analyze
