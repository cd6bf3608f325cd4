#include "store/rocksdb/keys.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace callpath::store::keys {
namespace {

// HashBytes as first written: the tail read with a copy of its length.
// Its values are part of the on-disk format (the tag index), so every
// faster form must give the same.
uint64_t ReferenceHash(std::string_view s, uint64_t seed) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  uint64_t h = seed ^ (s.size() * kMul);
  for (size_t at = 0; at < s.size(); at += 8) {
    const size_t n = std::min<size_t>(8, s.size() - at);
    uint64_t w = 0;
    for (size_t i = 0; i < n; ++i) w |= uint64_t{static_cast<uint8_t>(s[at + i])} << (8 * i);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  return HashMix(h);
}

TEST(Keys, HashBytesKeepsItsValuesForEveryLengthAndAlignment) {
  std::mt19937_64 rng(11);
  std::string buffer(64, '\0');
  for (char& c : buffer) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t len = 0; offset + len <= buffer.size(); ++len) {
      std::string_view s(buffer.data() + offset, len);
      ASSERT_EQ(HashBytes(s, 7), ReferenceHash(s, 7)) << "offset " << offset << " length " << len;
    }
  }
}

TEST(Keys, TagHashIsPinned) {
  // Values a store written before keeps in its tag index.
  EXPECT_EQ(TagHash("http.method", "GET"), ReferenceHash("GET", ReferenceHash("http.method", 0x5f3c1d2b4a697887ull)));
  EXPECT_EQ(HashBytes("", 0), HashMix(0));
}

}  // namespace
}  // namespace callpath::store::keys
