#include <gtest/gtest.h>

#include <fcntl.h>

#include <filesystem>

#include "callpath/log/sinks.h"
#include "log/log_test_util.h"

namespace callpath::log {
namespace {

using testing::ParseObject;
using testing::ReadLines;
using testing::TempDir;

constexpr uint64_t kDay = 86400ull * 1000000000ull;

Record At(uint64_t t, std::string_view msg) {
  Record r;
  r.time_unix_nano = t;
  r.message = msg;
  r.file = "f.cc";
  return r;
}

// Feeds records straight into the sink, as the background thread would.
void Feed(Sink& sink, uint64_t t, int n, std::string_view msg = "0123456789") {
  for (int i = 0; i < n; ++i) sink.Consume(At(t, msg));
  sink.Flush();
}

bool Exists(const std::string& p) { return std::filesystem::exists(p); }

TEST(FileSink, RotatesBySizeAndKeepsMaxFiles) {
  TempDir dir;
  std::string path = dir.File("app.jsonl");
  auto opened = FileSink::Open({.path = path, .max_bytes = 1000, .max_files = 3});
  ASSERT_TRUE(opened.ok());
  FileSink& sink = **opened;
  const uint64_t t = 1700000000000000000ull;
  Feed(sink, t, 100);
  EXPECT_GT(sink.rotations(), 3u);
  EXPECT_TRUE(Exists(path));
  EXPECT_TRUE(Exists(path + ".1"));
  EXPECT_TRUE(Exists(path + ".2"));
  EXPECT_TRUE(Exists(path + ".3"));
  EXPECT_FALSE(Exists(path + ".4"));  // retention
  simdjson::dom::parser parser;
  for (std::string p : {path, path + ".1", path + ".2", path + ".3"}) {
    EXPECT_LE(std::filesystem::file_size(p), 1000u) << p;
    auto lines = ReadLines(p);
    EXPECT_FALSE(lines.empty());
    for (const auto& line : lines) {  // no line is split between files
      simdjson::dom::object obj;
      EXPECT_TRUE(ParseObject(parser, line, &obj)) << p << ": " << line;
    }
  }
}

TEST(FileSink, RotatesWhenTheUtcDayChanges) {
  TempDir dir;
  std::string path = dir.File("daily.jsonl");
  auto opened = FileSink::Open({.path = path, .daily = true, .max_files = 2});
  ASSERT_TRUE(opened.ok());
  FileSink& sink = **opened;
  const uint64_t day0 = 19700 * kDay;
  sink.Consume(At(day0 + 10, "d0-a"));
  sink.Consume(At(day0 + kDay - 1, "d0-b"));
  sink.Consume(At(day0 + kDay, "d1-a"));  // midnight: new file
  sink.Consume(At(day0 + 2 * kDay + 5, "d2-a"));
  sink.Consume(At(day0 + 3 * kDay + 5, "d3-a"));
  sink.Flush();
  EXPECT_EQ(sink.rotations(), 3u);
  auto live = ReadLines(path);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_NE(live[0].find("d3-a"), std::string::npos);
  auto prev = ReadLines(path + ".1");
  ASSERT_EQ(prev.size(), 1u);
  EXPECT_NE(prev[0].find("d2-a"), std::string::npos);
  EXPECT_EQ(ReadLines(path + ".2").size(), 1u);
  EXPECT_FALSE(Exists(path + ".3"));  // day 0 aged out (max_files = 2)
}

TEST(FileSink, AppendsToAnExistingFile) {
  TempDir dir;
  std::string path = dir.File("a.jsonl");
  {
    auto s = FileSink::Open({.path = path});
    ASSERT_TRUE(s.ok());
    Feed(**s, 1, 2);
  }
  {
    auto s = FileSink::Open({.path = path});
    ASSERT_TRUE(s.ok());
    Feed(**s, 1, 3);
  }
  EXPECT_EQ(ReadLines(path).size(), 5u);
}

TEST(FileSink, OpenFailsCleanly) {
  auto s = FileSink::Open({.path = "/nonexistent-dir/x/y.jsonl"});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(FileSink::Open({}).ok());
}

TEST(FileSink, LevelFilter) {
  TempDir dir;
  auto s = FileSink::Open({.path = dir.File("l.jsonl")});
  ASSERT_TRUE(s.ok());
  (*s)->set_level(Level::kError);
  Record r = At(1, "x");
  r.level = Level::kWarn;
  (*s)->Consume(r);
  r.level = Level::kError;
  (*s)->Consume(r);
  (*s)->Flush();
  EXPECT_EQ(ReadLines(dir.File("l.jsonl")).size(), 1u);
}

TEST(ConsoleSink, ColourOnlyWhenAskedOrOnATty) {
  TempDir dir;
  std::string path = dir.File("console.txt");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ConsoleSink plain({}, fd);  // a file is not a TTY
  EXPECT_FALSE(plain.colored());
  ConsoleSink forced({.color = ColorMode::kAlways}, fd);
  EXPECT_TRUE(forced.colored());
  ::setenv("NO_COLOR", "1", 1);
  int tty = ::open("/dev/tty", O_WRONLY);
  if (tty >= 0) {
    ConsoleSink on_tty({}, tty);
    EXPECT_FALSE(on_tty.colored());  // NO_COLOR wins over a TTY
    ::close(tty);
  }
  ::unsetenv("NO_COLOR");
  Record r = At(1, "hello");
  r.level = Level::kError;
  plain.Consume(r);
  plain.Flush();
  forced.Consume(r);
  forced.Flush();
  ::close(fd);
  auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].find('\x1b'), std::string::npos);
  EXPECT_NE(lines[1].find("\x1b[31m"), std::string::npos);
}

}  // namespace
}  // namespace callpath::log
