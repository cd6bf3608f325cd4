// Folding many spans into one TraceSummary at once: what the writer does
// for each trace of a batch. Same result as AddSpanToSummary applied span by
// span (model.h), without building a summary per span.
#pragma once

#include <vector>

#include "store/model.h"

namespace callpath::store {

// The summary of `spans` (all of one trace; non-empty).
TraceSummary SummarizeSpans(const std::vector<const StoredSpan*>& spans);

}  // namespace callpath::store
