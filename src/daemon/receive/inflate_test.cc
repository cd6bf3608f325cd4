#include "daemon/receive/inflate.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

namespace callpath::daemon {
namespace {

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(InflateCapped, RoundTripsWithinTheCap) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += std::to_string(i);
  std::string out;
  ASSERT_EQ(InflateCapped(Gzip(data), data.size(), out), InflateError::kNone);
  EXPECT_EQ(out, data);
}

TEST(InflateCapped, ConcatenatedMembersAreJoined) {
  std::string out;
  ASSERT_EQ(InflateCapped(Gzip("hello ") + Gzip("world"), 100, out), InflateError::kNone);
  EXPECT_EQ(out, "hello world");
}

TEST(InflateCapped, StopsAGzipBombAtTheCap) {
  std::string bomb = Gzip(std::string(50u << 20, '\0'));
  ASSERT_LT(bomb.size(), 200u * 1024);
  std::string out;
  EXPECT_EQ(InflateCapped(bomb, 1u << 20, out), InflateError::kTooLarge);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(InflateCapped(Gzip("12345"), 4, out), InflateError::kTooLarge);
  EXPECT_EQ(InflateCapped(Gzip("12345"), 5, out), InflateError::kNone);
}

TEST(InflateCapped, CorruptOrTruncatedInputIsAnError) {
  std::string z = Gzip(std::string(10000, 'a') + "tail");
  std::string out;
  EXPECT_EQ(InflateCapped(z.substr(0, z.size() / 2), 1 << 20, out), InflateError::kCorrupt);
  EXPECT_EQ(InflateCapped("definitely not gzip", 1 << 20, out), InflateError::kCorrupt);
  EXPECT_EQ(InflateCapped("", 1 << 20, out), InflateError::kCorrupt);
  std::string flipped = z;
  flipped[flipped.size() - 6] ^= 0x55;  // breaks the CRC
  EXPECT_EQ(InflateCapped(flipped, 1 << 20, out), InflateError::kCorrupt);
}


std::string Zstd(const std::string& in, int level = 3) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), level));
  return out;
}

TEST(ZstdDecompressCapped, RoundTripsConcatenatedFramesWithinTheCap) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += std::to_string(i);
  std::string out;
  ASSERT_EQ(ZstdDecompressCapped(Zstd(data), data.size(), out), InflateError::kNone);
  EXPECT_EQ(out, data);
  ASSERT_EQ(ZstdDecompressCapped(Zstd("hello ") + Zstd("world"), 100, out), InflateError::kNone);
  EXPECT_EQ(out, "hello world");
}

TEST(ZstdDecompressCapped, StopsABombAtTheCapAndRejectsGarbageAndTruncation) {
  std::string bomb = Zstd(std::string(50u << 20, '\0'), 19);
  ASSERT_LT(bomb.size(), 100u * 1024);
  std::string out;
  EXPECT_EQ(ZstdDecompressCapped(bomb, 1u << 20, out), InflateError::kTooLarge);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(ZstdDecompressCapped("not zstd at all", 100, out), InflateError::kCorrupt);
  EXPECT_EQ(ZstdDecompressCapped("", 100, out), InflateError::kCorrupt);
  std::string data(10000, 'a');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>('a' + i % 26);
  std::string z = Zstd(data);
  for (size_t n : {z.size() - 1, z.size() / 2, size_t{5}}) {
    EXPECT_EQ(ZstdDecompressCapped(std::string_view(z.data(), n), 1u << 20, out), InflateError::kCorrupt) << n;
  }
}

}  // namespace
}  // namespace callpath::daemon
