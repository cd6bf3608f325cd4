// Applying Options::text_filter to a record on the background thread.
#pragma once

#include <string>

#include "callpath/log/options.h"
#include "callpath/log/record.h"

namespace callpath::log::detail {

// Runs `filter` over r.message and every string and error field of
// r.fields (nested objects included). When something changes, r points at
// `message` / `fields`, which hold the rewritten message and the re-encoded
// fields until the next call.
void ApplyTextFilter(const TextFilter& filter, Record& r, std::string& message,
                     std::string& fields);

}  // namespace callpath::log::detail
