// Feeds arbitrary bytes to LatencySketch::Decode, the reader of the
// statistics rows a store keeps (stats.h). A damaged record must be refused,
// never crash a reader; what decodes must answer every query, encode back
// to the same bytes, and merge with itself into twice its count.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/stats.h"

using callpath::store::LatencySketch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  callpath::Result<LatencySketch> sketch = LatencySketch::Decode(bytes);
  if (!sketch.ok()) return 0;
  const LatencySketch& s = *sketch;
  uint64_t previous = 0;
  for (double q : {0.0, 0.25, 0.5, 0.9, 0.99, 1.0}) {
    const uint64_t v = s.Quantile(q);
    if (s.count() > 0 && (v < s.min() || v > s.max() || v < previous)) std::abort();  // bounded, monotone
    previous = v;
  }
  (void)s.mean();
  std::string again;
  s.EncodeTo(&again);
  if (again != bytes) std::abort();  // one encoding per sketch
  LatencySketch twice = s;
  twice.Merge(s);
  if (twice.count() != 2 * s.count()) std::abort();
  return 0;
}
