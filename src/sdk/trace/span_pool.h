// Recycles SpanData objects per thread so a sampled span costs no heap
// allocation once the thread is warm: strings and vectors keep their
// capacity from one span to the next. The batch processor swaps contents
// with its queue slots instead of copying, so buffers circulate.
#pragma once

#include "callpath/span_data.h"

namespace callpath::detail {

// A cleared SpanData (attributes/events/links empty, capacity kept).
SpanData* AcquireSpanData() noexcept;
// Returns `data` to this thread's pool (or frees it when the pool is full).
void ReleaseSpanData(SpanData* data) noexcept;

}  // namespace callpath::detail
