#include "store/clickhouse/shards.h"

#include <cstring>

namespace callpath::store::ch {

namespace {

uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // little-endian, as ClickHouse reads it on x86-64 and arm64
  return v;
}

// CityHash's 128-to-64-bit fold (a Murmur-style mix).
uint64_t Fold(uint64_t low, uint64_t high) {
  constexpr uint64_t kMul = 0x9ddfea08eb382d69ull;
  uint64_t a = (low ^ high) * kMul;
  a ^= a >> 47;
  uint64_t b = (high ^ a) * kMul;
  b ^= b >> 47;
  return b * kMul;
}

}  // namespace

uint64_t TraceIdHash(const TraceId& id) {
  // CityHash64 v1.0.2 of a 9-to-16-byte string of length n: the first and
  // the last 8 bytes a and b, then Fold(a, rotr(b + n, n)) ^ b.
  constexpr uint64_t kLen = 16;
  const uint8_t* s = id.bytes().data();
  const uint64_t a = Load64(s);
  const uint64_t b = Load64(s + kLen - 8);
  const uint64_t c = b + kLen;
  return Fold(a, (c >> kLen) | (c << (64 - kLen))) ^ b;
}

ShardMap::ShardMap(const std::vector<uint32_t>& weights) {
  if (weights.empty()) return;
  shards_ = weights.size();
  for (size_t i = 0; i < weights.size(); ++i) {
    for (uint32_t w = 0; w < weights[i]; ++w) slots_.push_back(static_cast<uint32_t>(i));
  }
}

}  // namespace callpath::store::ch
