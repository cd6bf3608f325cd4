#include "logparse/timestamp.h"

#include <gtest/gtest.h>

namespace callpath::logparse {
namespace {

constexpr uint64_t kBase = 1705310625ULL * 1'000'000'000ULL;  // 2024-01-15T09:23:45Z

uint64_t Parse(std::string_view s) {
  uint64_t ns = 0;
  EXPECT_TRUE(ParseTimestamp(s, &ns)) << s;
  return ns;
}

TEST(ParseTimestamp, ReadsRfc3339WithFractionsAndOffsets) {
  EXPECT_EQ(Parse("2024-01-15T09:23:45Z"), kBase);
  EXPECT_EQ(Parse("2024-01-15T09:23:45.123456789Z"), kBase + 123456789);
  EXPECT_EQ(Parse("2024-01-15T10:23:45.5+01:00"), kBase + 500000000);
  EXPECT_EQ(Parse("2024-01-15T10:23:45+0100"), kBase);
  EXPECT_EQ(Parse("2024-01-15T02:23:45-07:00"), kBase);
  EXPECT_EQ(Parse("2024-01-15T09:23:45.1234567891234Z"), kBase + 123456789);
}

TEST(ParseTimestamp, ReadsLogbackPythonAndCommonLogForms) {
  EXPECT_EQ(Parse("2024-01-15 09:23:45.123"), kBase + 123000000);
  EXPECT_EQ(Parse("2024-01-15 09:23:45,123"), kBase + 123000000);
  EXPECT_EQ(Parse("15/Jan/2024:10:23:45 +0100"), kBase);
  EXPECT_EQ(Parse("[15/Jan/2024:09:23:45 +0000]"), kBase);
}

TEST(ParseTimestamp, ReadsEpochNumbersAsText) {
  EXPECT_EQ(Parse("1705310625"), kBase);
  EXPECT_EQ(Parse("1705310625123"), kBase + 123000000);
  EXPECT_EQ(Parse("1705310625.5"), kBase + 500000000);
}

TEST(ParseTimestamp, RejectsMalformedText) {
  uint64_t ns = 42;
  for (const char* bad : {"", "yesterday", "2024-13-15T09:23:45Z", "2024-01-15T25:00:00Z", "2024-01-15",
                          "15/Foo/2024:10:23:45 +0100", "2024-01-15T09:23:45+9", "2024-01-15T09:23:45Zjunk",
                          "99999999999999999999", "1.2.3"}) {
    EXPECT_FALSE(ParseTimestamp(bad, &ns)) << bad;
  }
  EXPECT_EQ(ns, 42u);
}

TEST(EpochToNanos, TellsUnitsApartBySize) {
  EXPECT_EQ(EpochToNanos(int64_t{1705310625}), kBase);
  EXPECT_EQ(EpochToNanos(int64_t{1705310625000}), kBase);
  EXPECT_EQ(EpochToNanos(int64_t{1705310625000000}), kBase);
  EXPECT_EQ(EpochToNanos(int64_t{1705310625000000000}), kBase);
  EXPECT_NEAR(static_cast<double>(EpochToNanos(1705310625.25)), static_cast<double>(kBase + 250000000), 1e3);
  EXPECT_EQ(EpochToNanos(int64_t{-1}), 0u);
  EXPECT_EQ(EpochToNanos(-1.0), 0u);
}

}  // namespace
}  // namespace callpath::logparse
