#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "store/stats.h"

namespace callpath::store {
namespace {

// The value of rank floor(q * (n - 1)) of `values`: what Quantile promises
// to be within 2 % of.
uint64_t ExactQuantile(std::vector<uint64_t> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1))];
}

void ExpectQuantilesWithin2Percent(const std::vector<uint64_t>& values, const std::string& what) {
  LatencySketch s;
  for (uint64_t v : values) s.Add(v);
  ASSERT_EQ(s.count(), values.size());
  for (double q : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const double exact = static_cast<double>(ExactQuantile(values, q));
    const double got = static_cast<double>(s.Quantile(q));
    EXPECT_LE(std::abs(got - exact), 0.02 * exact) << what << " q=" << q << " exact=" << exact << " got=" << got;
  }
  EXPECT_EQ(s.min(), *std::min_element(values.begin(), values.end())) << what;
  EXPECT_EQ(s.max(), *std::max_element(values.begin(), values.end())) << what;
}

TEST(LatencySketchTest, QuantilesAreWithinTwoPercentOnSeveralDistributions) {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> uniform, lognormal, bimodal, exponential, constant;
  std::uniform_int_distribution<uint64_t> u(1'000, 1'000'000'000);
  std::lognormal_distribution<double> ln(std::log(5e6), 1.5);
  std::normal_distribution<double> fast(2e6, 2e5), slow(800e6, 50e6);
  std::exponential_distribution<double> ex(1 / 30e6);
  for (int i = 0; i < 20000; ++i) {
    uniform.push_back(u(rng));
    lognormal.push_back(std::max<uint64_t>(1000, static_cast<uint64_t>(ln(rng))));
    bimodal.push_back(static_cast<uint64_t>(std::max(1000.0, i % 10 == 0 ? slow(rng) : fast(rng))));
    exponential.push_back(std::max<uint64_t>(1000, static_cast<uint64_t>(ex(rng))));
    constant.push_back(12'345'678);
  }
  ExpectQuantilesWithin2Percent(uniform, "uniform");
  ExpectQuantilesWithin2Percent(lognormal, "lognormal");
  ExpectQuantilesWithin2Percent(bimodal, "bimodal");
  ExpectQuantilesWithin2Percent(exponential, "exponential");
  ExpectQuantilesWithin2Percent(constant, "constant");
  ExpectQuantilesWithin2Percent({1'000, 3'600'000'000'000ull, UINT64_MAX}, "extremes");
}

TEST(LatencySketchTest, ValuesBelowOneMicrosecondStayBelowIt) {
  LatencySketch s;
  for (uint64_t v : {10u, 200u, 999u}) s.Add(v);
  EXPECT_LE(s.Quantile(0.5), 999u);
  EXPECT_GE(s.Quantile(0.5), 10u);
  EXPECT_EQ(s.Quantile(0), 10u);
  EXPECT_EQ(s.Quantile(1), 999u);
}

TEST(LatencySketchTest, EmptyAnswersZero) {
  LatencySketch s;
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.Quantile(0.5), 0u);
  EXPECT_EQ(s.min(), 0u);
  EXPECT_EQ(s.max(), 0u);
  EXPECT_EQ(s.mean(), 0);
}

TEST(LatencySketchTest, MeanIsExact) {
  LatencySketch s;
  s.Add(1'000'000, 3);
  s.Add(4'000'000);
  EXPECT_DOUBLE_EQ(s.mean(), 1'750'000);
  EXPECT_EQ(s.count(), 4u);
}

TEST(LatencySketchTest, MergeEqualsAddingEveryValueToOneSketch) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<uint64_t> u(500, 50'000'000);
  LatencySketch a, b, all;
  for (int i = 0; i < 5000; ++i) {
    uint64_t v = u(rng);
    (i % 3 == 0 ? a : b).Add(v);
    all.Add(v);
  }
  LatencySketch merged = a;
  merged.Merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  for (double q : {0.0, 0.5, 0.9, 0.99, 1.0}) EXPECT_EQ(merged.Quantile(q), all.Quantile(q)) << q;
  EXPECT_NEAR(merged.mean(), all.mean(), all.mean() * 1e-12);

  LatencySketch empty;
  empty.Merge(a);
  EXPECT_EQ(empty, a);
  LatencySketch a2 = a;
  a2.Merge(LatencySketch());
  EXPECT_EQ(a2, a);
}

TEST(LatencySketchTest, EncodingRoundTripsAndStaysSmall) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> ln(std::log(20e6), 0.8);
  LatencySketch s;
  for (int i = 0; i < 100000; ++i) s.Add(static_cast<uint64_t>(ln(rng)));
  std::string bytes;
  s.EncodeTo(&bytes);
  EXPECT_LT(bytes.size(), 1000u);
  Result<LatencySketch> back = LatencySketch::Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);

  std::string empty_bytes;
  LatencySketch().EncodeTo(&empty_bytes);
  Result<LatencySketch> empty = LatencySketch::Decode(empty_bytes);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, LatencySketch());
}

TEST(LatencySketchTest, DecodeRefusesEveryTruncationAndTrailingBytes) {
  LatencySketch s;
  for (uint64_t v = 1000; v < 100'000'000; v *= 3) s.Add(v, v % 7 + 1);
  std::string bytes;
  s.EncodeTo(&bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(LatencySketch::Decode(bytes.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(LatencySketch::Decode(bytes + "x").ok());
}

TEST(LatencySketchTest, DecodeRefusesInconsistentRecords) {
  auto encode = [](const LatencySketch& s) {
    std::string b;
    s.EncodeTo(&b);
    return b;
  };
  LatencySketch one;
  one.Add(5'000'000, 2);
  const std::string good = encode(one);
  ASSERT_TRUE(LatencySketch::Decode(good).ok());
  // Layout: version, count, min, max (varints), sum (8), bucket count,
  // then (index delta, count) pairs.
  std::string bad_version = good;
  bad_version[0] = 9;
  EXPECT_FALSE(LatencySketch::Decode(bad_version).ok());
  std::string bad_count = good;
  bad_count[1] = 3;  // total says 3, the bucket holds 2
  EXPECT_FALSE(LatencySketch::Decode(bad_count).ok());
  // Hand-made records: each field is a one-byte varint.
  auto record = [](std::initializer_list<int> head, std::initializer_list<int> tail) {
    std::string b;
    for (int c : head) b.push_back(static_cast<char>(c));
    b.append(8, '\0');  // sum 0.0
    for (int c : tail) b.push_back(static_cast<char>(c));
    return b;
  };
  EXPECT_TRUE(LatencySketch::Decode(record({1, 2, 5, 5}, {1, 1, 2})).ok());   // one bucket, index 0
  EXPECT_FALSE(LatencySketch::Decode(record({1, 2, 5, 5}, {1, 1, 0})).ok());  // bucket of count 0
  EXPECT_FALSE(LatencySketch::Decode(record({1, 2, 5, 5}, {2, 1, 1, 0, 1})).ok());  // same index twice
  EXPECT_FALSE(LatencySketch::Decode(record({1, 2, 9, 5}, {1, 1, 2})).ok());  // min > max
  EXPECT_FALSE(LatencySketch::Decode(record({1, 0, 5, 5}, {0})).ok());        // empty with bounds
  EXPECT_FALSE(LatencySketch::Decode(record({1, 2, 5, 5}, {100, 1, 2})).ok());  // claims 100 buckets
  std::string nan_sum = record({1, 2, 5, 5}, {1, 1, 2});
  for (int i = 0; i < 8; ++i) nan_sum[4 + i] = static_cast<char>(0xff);
  EXPECT_FALSE(LatencySketch::Decode(nan_sum).ok());
  std::string huge_index = record({1, 2, 5, 5}, {1});
  huge_index += std::string("\xff\xff\xff\x7f\x02", 5);  // index far beyond UINT64_MAX's bucket
  EXPECT_FALSE(LatencySketch::Decode(huge_index).ok());
}

}  // namespace
}  // namespace callpath::store
