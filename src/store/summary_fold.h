// Folding many spans into one TraceSummary at once: what the writer does
// for each trace of a batch. Same result as AddSpanToSummary applied span by
// span (model.h), without building a summary per span.
#pragma once

#include <cstdint>
#include <vector>

#include "store/model.h"

namespace callpath::store {

// The summary of `spans` (all of one trace; non-empty). With `service_of`,
// also the index in summary.services of each span's service, so a caller
// that needs it per span need not look names up again.
TraceSummary SummarizeSpans(const std::vector<const StoredSpan*>& spans,
                            std::vector<uint32_t>* service_of = nullptr);

}  // namespace callpath::store
