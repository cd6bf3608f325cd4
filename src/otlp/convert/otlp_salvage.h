// Dropping the invalid spans / log records of a protobuf export request.
//
// The zero-copy decoders reject a whole request when one item carries an id
// of the wrong length. OTLP wants the valid rest stored and the bad items
// reported as a partial success, so on such a failure the receiver rebuilds
// the request without the offending items and decodes it again.
#pragma once

#include <string>
#include <string_view>

#include "otlp/convert/otlp_batch.h"

namespace callpath::daemon {

// Copies `body` into *cleaned leaving out every span whose trace_id is not
// 16 bytes, span_id not 8 bytes, parent_span_id not empty-or-8 bytes, or
// with a link whose ids have the wrong length; *rejected is replaced by
// their count and reasons. Returns false (and leaves *rejected alone) when the envelope itself is
// malformed or no span had to be dropped, i.e. when salvaging cannot help.
bool SalvageTraceRequest(std::string_view body, std::string* cleaned, Rejections* rejected);

// Same for log records (trace_id empty or 16 bytes, span_id empty or 8).
bool SalvageLogsRequest(std::string_view body, std::string* cleaned, Rejections* rejected);

}  // namespace callpath::daemon
