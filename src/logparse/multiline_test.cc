#include "logparse/multiline.h"

#include <gtest/gtest.h>

#include "logparse/testing/samples.h"

namespace callpath::logparse {
namespace {

std::vector<JoinedRecord> JoinAll(const std::vector<std::string>& lines, MultilineOptions options = {}) {
  MultilineJoiner joiner(options);
  std::vector<JoinedRecord> out;
  uint64_t offset = 0;
  for (const std::string& line : lines) {
    if (auto r = joiner.Add(line, offset, offset + line.size() + 1)) out.push_back(*r);
    offset += line.size() + 1;
  }
  if (auto r = joiner.Flush()) out.push_back(*r);
  return out;
}

TEST(MultilineJoiner, JoinsAJavaStackTraceToTheLineThatLoggedIt) {
  auto lines = testing::SampleLines("logback_default.log");
  auto records = JoinAll(lines);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].text.substr(0, 23), "2024-01-15 10:23:46.456");
  EXPECT_EQ(std::count(records[1].text.begin(), records[1].text.end(), '\n'), 6);
  uint64_t expected_end = 0;
  for (size_t i = 0; i < 8; ++i) expected_end += lines[i].size() + 1;
  EXPECT_EQ(records[1].end_offset, expected_end);
}

TEST(MultilineJoiner, JoinsAPythonTracebackThroughItsExceptionLine) {
  auto records = JoinAll(testing::SampleLines("python_logging.log"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_NE(records[0].text.find("\nValueError: card declined"), std::string::npos);
  EXPECT_EQ(records[1].text, "2024-01-15 10:23:46,000 INFO shop.checkout: next order");
}

TEST(MultilineJoiner, JsonLinesAlwaysStartARecord) {
  auto records = JoinAll({"{\"a\":1}", "{\"b\":2}"});
  EXPECT_EQ(records.size(), 2u);
}

TEST(MultilineJoiner, CutsRecordsAtTheLimits) {
  MultilineOptions small;
  small.max_lines = 3;
  auto records = JoinAll({"start", " a", " b", " c", " d"}, small);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].text, "start\n a\n b");
  small.max_lines = 100;
  small.max_bytes = 10;
  EXPECT_EQ(JoinAll({"start", " 123456789"}, small).size(), 2u);
}

TEST(MultilineJoiner, HeldStartOffsetIsWhereTheUnsentRecordBegins) {
  MultilineJoiner joiner;
  EXPECT_FALSE(joiner.Add("one", 0, 4));
  EXPECT_EQ(joiner.held_start_offset(), 0u);
  auto first = joiner.Add("two", 4, 8);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->end_offset, 4u);
  EXPECT_EQ(joiner.held_start_offset(), 4u);
  EXPECT_TRUE(joiner.holding());
}

TEST(MultilineJoiner, AContinuationWithNothingHeldStartsARecord) {
  auto records = JoinAll({"\tat orphan", "next"});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].text, "\tat orphan");
}

}  // namespace
}  // namespace callpath::logparse
