// Bounded decompression of request bodies: gzip/deflate and zstd.
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

// The same for zstd (Content-Encoding: zstd, which the Collector's OTLP/HTTP
// exporter can send): one or more concatenated frames, the output bounded
// the same way whatever the frames claim about their size.
InflateError ZstdDecompressCapped(std::string_view in, size_t max_out, std::string& out);

}  // namespace callpath::daemon
