// Bounded gzip/deflate decompression for request bodies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace callpath::daemon {

enum class InflateError { kNone, kCorrupt, kTooLarge };

// Decompresses a gzip (or zlib) stream into `out`, stopping with kTooLarge as
// soon as more than `max_out` bytes would be produced: a small "gzip bomb"
// costs at most max_out bytes of memory and never completes. Concatenated
// gzip members are decoded one after another, as RFC 1952 allows.
InflateError InflateCapped(std::string_view in, size_t max_out, std::string& out);

}  // namespace callpath::daemon
