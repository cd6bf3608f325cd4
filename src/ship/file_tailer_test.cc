#include "ship/file_tailer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace callpath::ship {
namespace {

class FileTailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "ship_tailer_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "/app.log";
    std::ofstream(path_).flush();
  }
  void Append(std::string_view s) { std::ofstream(path_, std::ios::app | std::ios::binary) << s; }
  std::unique_ptr<FileTailer> Open(uint64_t offset = 0, TailerOptions o = {}) {
    auto t = FileTailer::Open(path_, offset, o);
    EXPECT_TRUE(t.ok());
    return std::move(t).value();
  }
  std::vector<std::string> Poll(FileTailer& t) {
    std::vector<TailRecord> out;
    while (t.Poll(&out, 1 << 30, 1 << 30, FileTailer::Clock::now())) {
    }
    std::vector<std::string> texts;
    for (auto& r : out) texts.push_back(r.text);
    return texts;
  }
  std::string dir_, path_;
};

TEST_F(FileTailerTest, HoldsAPartialLastLineUntilItIsComplete) {
  TailerOptions o;
  o.multiline = false;
  auto t = Open(0, o);
  Append("one\ntw");
  EXPECT_EQ(Poll(*t), std::vector<std::string>{"one"});
  EXPECT_EQ(t->emitted_offset(), 4u);
  Append("o\r\n");
  EXPECT_EQ(Poll(*t), std::vector<std::string>{"two"});  // CRLF endings lose the CR
  EXPECT_EQ(t->emitted_offset(), 9u);
}

TEST_F(FileTailerTest, FinishSendsTheUnterminatedLastLine) {
  auto t = Open();
  Append("only\nno newline");
  Poll(*t);
  std::vector<TailRecord> out;
  t->Finish(&out);
  ASSERT_EQ(out.size(), 2u);  // the joiner's held "only", then the partial line
  EXPECT_EQ(out[1].text, "no newline");
  EXPECT_EQ(out[1].end_offset, 15u);
}

TEST_F(FileTailerTest, StopsAtTheRecordBudgetAndGoesOnFromThere) {
  TailerOptions o;
  o.multiline = false;
  auto t = Open(0, o);
  Append("a\nb\nc\n");
  std::vector<TailRecord> out;
  EXPECT_TRUE(t->Poll(&out, 1 << 30, 2, FileTailer::Clock::now()));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].end_offset, 4u);
  EXPECT_FALSE(t->Poll(&out, 1 << 30, 2, FileTailer::Clock::now()));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].text, "c");
}

TEST_F(FileTailerTest, StartsAtTheGivenOffset) {
  Append("skip\nkeep\n");
  TailerOptions o;
  o.multiline = false;
  auto t = Open(5, o);
  EXPECT_EQ(Poll(*t), std::vector<std::string>{"keep"});
}

TEST_F(FileTailerTest, CutsOverlongLinesIntoPiecesWithoutLosingBytes) {
  TailerOptions o;
  o.multiline = false;
  o.max_line_bytes = 4;
  auto t = Open(0, o);
  Append("abcdefghij\n");
  EXPECT_EQ(Poll(*t), (std::vector<std::string>{"abcd", "efgh", "ij"}));
  EXPECT_EQ(t->emitted_offset(), 11u);
}

TEST_F(FileTailerTest, TruncationStartsANewGenerationAndRetiresTheOldContent) {
  TailerOptions o;
  o.multiline = false;
  auto t = Open(0, o);
  Append("first line of the old content\n");
  Poll(*t);
  const uint64_t old_generation = t->generation();
  Fingerprint old_fp = t->fingerprint();
  std::ofstream(path_, std::ios::trunc) << "new\n";
  EXPECT_EQ(Poll(*t), std::vector<std::string>{"new"});
  EXPECT_NE(t->generation(), old_generation);
  Fingerprint fp;
  uint64_t offset = 0;
  ASSERT_TRUE(t->TakeRetired(&fp, &offset));
  EXPECT_EQ(fp, old_fp);
  EXPECT_EQ(offset, 30u);
  EXPECT_FALSE(t->TakeRetired(&fp, &offset));
}

TEST_F(FileTailerTest, AcknowledgementsOfAnOldGenerationAreIgnored) {
  auto t = Open();
  Append("a\n");
  Poll(*t);
  uint64_t old_generation = t->generation();
  t->Reset(0);
  t->Acknowledge(old_generation, 2);
  EXPECT_EQ(t->acked_offset(), 0u);
  t->Acknowledge(t->generation(), 2);
  EXPECT_EQ(t->acked_offset(), 2u);
}

TEST_F(FileTailerTest, JoinsAStackTraceAndKeepsReadingAfterDeletion) {
  auto t = Open();
  Append("ERROR boom\n\tat a.B.c(B.java:1)\nnext\n");
  std::filesystem::remove(path_);
  auto texts = Poll(*t);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], "ERROR boom\n\tat a.B.c(B.java:1)");
  EXPECT_TRUE(t->deleted());
}

}  // namespace
}  // namespace callpath::ship
