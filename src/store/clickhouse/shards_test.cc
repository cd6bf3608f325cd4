#include "store/clickhouse/shards.h"

#include <gtest/gtest.h>

#include <string>

#include "text/hex.h"

namespace callpath::store::ch {
namespace {

TraceId FromHex(const std::string& hex) {
  std::string raw(16, '\0');
  EXPECT_TRUE(text::HexDecode(hex, reinterpret_cast<uint8_t*>(raw.data()), raw.size(), text::HexCase::kLowerOnly));
  return TraceId::FromBytes(raw);
}

// Values answered by clickhouse-server 18.16 to
// SELECT cityHash64(toFixedString(unhex('<id>'), 16)).
TEST(TraceIdHash, EqualsClickHouseCityHash64OfTheSixteenBytes) {
  EXPECT_EQ(TraceIdHash(FromHex("0013535c278dfecd5f2588415a8619ec")), 12976089810247259248ull);
  EXPECT_EQ(TraceIdHash(FromHex("00345aee6c6ac07ac99365d13be6035d")), 15283858122593270562ull);
  EXPECT_EQ(TraceIdHash(FromHex("0049ddbd2514c9ac7d1df2c975ade73d")), 13864003173790001444ull);
  EXPECT_EQ(TraceIdHash(FromHex("031425364758697a8b9cadbecfe0f102")), 7641153846773294356ull);
}

TEST(ShardMap, OneShardTakesEveryKey) {
  ShardMap one;
  EXPECT_EQ(one.shards(), 1u);
  EXPECT_EQ(one.ShardOf(12345), 0u);
  EXPECT_EQ(one.ShardOf(FromHex("0013535c278dfecd5f2588415a8619ec")), 0u);
}

TEST(ShardMap, KeysGoByKeyModuloTotalWeightOverSlotsInShardOrder) {
  ShardMap even({1, 1});
  EXPECT_EQ(even.shards(), 2u);
  EXPECT_EQ(even.ShardOf(uint64_t{4}), 0u);
  EXPECT_EQ(even.ShardOf(uint64_t{7}), 1u);
  EXPECT_EQ(even.ShardOf(FromHex("0049ddbd2514c9ac7d1df2c975ade73d")), 13864003173790001444ull % 2);
  ShardMap weighted({1, 2});  // slots: shard 0, shard 1, shard 1
  EXPECT_EQ(weighted.ShardOf(uint64_t{3}), 0u);
  EXPECT_EQ(weighted.ShardOf(uint64_t{4}), 1u);
  EXPECT_EQ(weighted.ShardOf(uint64_t{5}), 1u);
}

TEST(ShardMap, AShardOfWeightZeroTakesNoKey) {
  ShardMap m({0, 1});
  for (uint64_t k = 0; k < 10; ++k) EXPECT_EQ(m.ShardOf(k), 1u);
}

}  // namespace
}  // namespace callpath::store::ch
