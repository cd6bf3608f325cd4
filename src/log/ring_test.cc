#include "log/ring.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace callpath::log::detail {
namespace {

// Writes one record of `n` bytes (a multiple of 8, at least 8) whose bytes
// after the framing are `fill`; false when the ring is full.
bool Put(Ring& ring, size_t n, char fill) {
  char* p = ring.Reserve(n);
  if (!p) return false;
  uint32_t size = static_cast<uint32_t>(n);
  std::memcpy(p, &size, 4);
  p[4] = 1;
  std::memset(p + 5, fill, n - 5);
  ring.Commit(n);
  return true;
}

// Takes every committed record; returns their fill bytes.
std::string Drain(Ring& ring) {
  std::string fills;
  ring.Available();
  while (const char* p = ring.Next()) fills += p[5];
  ring.Release();
  return fills;
}

TEST(RingTest, RecordsComeOutInOrderAcrossTheWrap) {
  Ring ring(4096);
  std::string expected;
  std::string got;
  char fill = 'a';
  // 1000-byte records do not divide 4096, so the wrap needs padding.
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(Put(ring, 1000, fill));
      expected += fill;
      fill = fill == 'z' ? 'a' : static_cast<char>(fill + 1);
    }
    got += Drain(ring);
  }
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(ring.Empty());
}

TEST(RingTest, ReserveFailsWhenFullAndSucceedsAfterRelease) {
  Ring ring(4096);
  int n = 0;
  while (Put(ring, 512, 'x')) ++n;
  EXPECT_EQ(n, 8);
  EXPECT_EQ(Drain(ring).size(), 8u);
  EXPECT_TRUE(Put(ring, 512, 'y'));
}

TEST(RingTest, PastHalfFollowsTheConsumer) {
  Ring ring(4096);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Put(ring, 512, 'x'));
  EXPECT_TRUE(ring.PastHalf());  // 2560 of 4096 bytes waiting
  Drain(ring);
  // The consumer took everything: one more record is far from half full,
  // although the producer has written more than half a ring since it last
  // had to look at the consumer's position.
  ASSERT_TRUE(Put(ring, 64, 'y'));
  EXPECT_FALSE(ring.PastHalf());
  // And it keeps answering from the consumer's real position.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Put(ring, 512, 'z'));
  EXPECT_TRUE(ring.PastHalf());  // 2560 waiting (with the padding at the wrap)
}

}  // namespace
}  // namespace callpath::log::detail
