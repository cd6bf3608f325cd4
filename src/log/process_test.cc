// Lines logged right before the process ends must reach the file: on a
// normal exit() (atexit flush) and on a crash (signal-handler flush). The
// scenarios run in a child: this test binary re-executed with
// CALLPATH_LOG_TEST_CHILD set, which a static initialiser below picks up
// before GoogleTest starts.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "callpath/log.h"
#include "log/log_test_util.h"

namespace callpath::log {
namespace {

constexpr int kChildLines = 20000;

[[noreturn]] void RunChild(const std::string& scenario, const std::string& path) {
  Options o;
  o.sinks = {*FileSink::Open({.path = path})};
  o.crash_handlers = true;
  o.overflow = Overflow::kBlock;
  // A long idle sleep: only the exit/crash flush can save the last lines.
  o.idle_sleep = std::chrono::milliseconds(500);
  if (!Init(o).ok()) _exit(90);
  Logger log("child");
  // Two threads, so the lines sit in more than one queue.
  std::thread other([&] {
    for (int i = 0; i < kChildLines / 2; ++i) log.info("other", {"i", i});
  });
  for (int i = 0; i < kChildLines / 2; ++i) log.info("main", {"i", i});
  other.join();
  log.error("last words", {"scenario", scenario});
  if (scenario == "exit") std::exit(3);
  if (scenario == "segv") raise(SIGSEGV);
  if (scenario == "abort") std::abort();
  if (scenario == "nullptr") {
    volatile int* p = nullptr;
    *p = 1;
  }
  _exit(91);
}

const bool g_child = [] {
  const char* scenario = std::getenv("CALLPATH_LOG_TEST_CHILD");
  const char* path = std::getenv("CALLPATH_LOG_TEST_FILE");
  if (scenario && path) RunChild(scenario, path);
  return false;
}();

// Runs the scenario in a fresh process; returns its wait status.
int RunScenario(const std::string& scenario, const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("CALLPATH_LOG_TEST_CHILD", scenario.c_str(), 1);
    setenv("CALLPATH_LOG_TEST_FILE", path.c_str(), 1);
    execl("/proc/self/exe", "log_test", "--gtest_filter=-*", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

void ExpectAllLines(const std::string& path, const std::string& scenario) {
  auto lines = testing::ReadLines(path);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kChildLines + 1)) << scenario;
  // Lines of different threads interleave; each thread's own stay in order.
  simdjson::dom::parser parser;
  int64_t next_main = 0, next_other = 0, last = 0;
  for (const auto& line : lines) {
    simdjson::dom::object obj;
    ASSERT_TRUE(testing::ParseObject(parser, line, &obj)) << line;
    std::string msg = testing::GetString(obj, "msg");
    if (msg == "main") {
      EXPECT_EQ(int64_t(obj["i"]), next_main++);
    } else if (msg == "other") {
      EXPECT_EQ(int64_t(obj["i"]), next_other++);
    } else {
      EXPECT_EQ(msg, "last words");
      EXPECT_EQ(testing::GetString(obj, "scenario"), scenario);
      EXPECT_EQ(next_main, kChildLines / 2);  // logged after all of main's
      ++last;
    }
  }
  EXPECT_EQ(next_main, kChildLines / 2);
  EXPECT_EQ(next_other, kChildLines / 2);
  EXPECT_EQ(last, 1);
}

TEST(Process, ExitFlushesEverything) {
  testing::TempDir dir;
  std::string path = dir.File("exit.jsonl");
  int status = RunScenario("exit", path);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  ExpectAllLines(path, "exit");
}

TEST(Process, RaisedSigsegvFlushesThenDiesBySignal) {
  testing::TempDir dir;
  std::string path = dir.File("segv.jsonl");
  int status = RunScenario("segv", path);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  ExpectAllLines(path, "segv");
}

TEST(Process, NullDereferenceFlushes) {
  testing::TempDir dir;
  std::string path = dir.File("null.jsonl");
  int status = RunScenario("nullptr", path);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  ExpectAllLines(path, "nullptr");
}

TEST(Process, AbortFlushes) {
  testing::TempDir dir;
  std::string path = dir.File("abort.jsonl");
  int status = RunScenario("abort", path);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGABRT);
  ExpectAllLines(path, "abort");
}

}  // namespace
}  // namespace callpath::log
