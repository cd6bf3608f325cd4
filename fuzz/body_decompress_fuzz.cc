// Feeds arbitrary bytes to the bounded decompressors of request bodies
// (gzip/zlib and zstd, as a client's Content-Encoding asks): corrupt or
// truncated input is an error, and no input - a bomb included - makes them
// produce more than the cap.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/receive/inflate.h"

using callpath::daemon::InflateError;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr size_t kCap = 1 << 20;
  std::string out;
  for (InflateError e : {callpath::daemon::InflateCapped(in, kCap, out),
                         callpath::daemon::ZstdDecompressCapped(in, kCap, out)}) {
    (void)e;
    if (out.size() > kCap) std::abort();
  }
  if (callpath::daemon::ZstdDecompressCapped(in, kCap, out) != InflateError::kNone && !out.empty()) std::abort();
  return 0;
}
