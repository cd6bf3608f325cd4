// Command-line parsing: what each command asks the API, and which
// mistakes are usage errors (exit 2) before any request is made.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "callpath/version.h"
#include "cli/app.h"

namespace callpath::cli {
namespace {

struct Args {
  std::map<std::string, std::string> vars;
  bool tty = false;
  size_t columns = 0;

  ParsedArgs Parse(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), "callpath");
    std::vector<const char*> ptrs;
    for (const auto& a : argv) ptrs.push_back(a.c_str());
    Environment env;
    env.getenv = [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
    env.stdout_is_tty = tty;
    env.terminal_columns = columns;
    return ParseArgs(static_cast<int>(ptrs.size()), ptrs.data(), env);
  }
  std::string Target(std::vector<std::string> argv) const {
    auto p = Parse(std::move(argv));
    EXPECT_TRUE(p.invocation) << p.err;
    return p.invocation ? p.invocation->target : "";
  }
  int UsageCode(std::vector<std::string> argv) const {
    auto p = Parse(std::move(argv));
    EXPECT_FALSE(p.invocation) << "accepted: target " << (p.invocation ? p.invocation->target : "");
    return p.exit_code;
  }
};

TEST(ArgsTest, TraceTakesAHexIdInAnyCase) {
  Args a;
  EXPECT_EQ(a.Target({"trace", "4B0000000000000000000000000000F9"}), "/api/v1/traces/4b0000000000000000000000000000f9");
  EXPECT_EQ(a.Target({"trace", "abc"}), "/api/v1/traces/abc");
}

TEST(ArgsTest, BadTraceIdsAreUsageErrors) {
  Args a;
  for (const char* bad : {"xyz", "0000", "", "4b00000000000000000000000000000000f9"}) {
    auto p = a.Parse({"trace", bad});
    EXPECT_FALSE(p.invocation) << bad;
    EXPECT_EQ(p.exit_code, kExitUsage) << bad;
    EXPECT_NE(p.err.find("trace id"), std::string::npos) << p.err;
  }
  EXPECT_EQ(a.UsageCode({"trace"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"trace", "ab", "cd"}), kExitUsage);
}

TEST(ArgsTest, SearchMapsEveryFilterToTheNativeApi) {
  Args a;
  EXPECT_EQ(a.Target({"search"}), "/api/v1/search");
  EXPECT_EQ(a.Target({"search", "--service", "check out", "--operation", "POST /pay", "--tag", "http.status_code=500",
                      "--tag", "url=http://x/?a=b", "--min-duration", "100ms", "--max-duration", "1.5s", "--errors",
                      "--since", "2h", "--limit", "5"}),
            "/api/v1/search?service=check%20out&operation=POST%20%2Fpay&tag=http.status_code%3A500"
            "&tag=url%3Ahttp%3A%2F%2Fx%2F%3Fa%3Db&min_duration=100ms&max_duration=1.5s&errors=true&lookback=2h"
            "&limit=5");
  // The API's own key:value form passes through.
  EXPECT_EQ(a.Target({"search", "--tag", "k:v=w"}), "/api/v1/search?tag=k%3Av%3Dw");
}

TEST(ArgsTest, SearchTimesAcceptRfc3339UnixNanosAndDurationsAgo) {
  Args a;
  EXPECT_EQ(a.Target({"search", "--start", "2023-11-14T22:13:20Z", "--end", "2023-11-14T23:13:20.5+01:00"}),
            "/api/v1/search?start=1700000000000000000&end=1700000000500000000");
  EXPECT_EQ(a.Target({"search", "--start", "1700000000000000000", "--end", "15m"}),
            "/api/v1/search?start=1700000000000000000&end=15m");
}

TEST(ArgsTest, SearchMistakesAreUsageErrors) {
  Args a;
  EXPECT_EQ(a.UsageCode({"search", "--min-duration", "100"}), kExitUsage);  // unit missing
  EXPECT_EQ(a.UsageCode({"search", "--min-duration", "fast"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"search", "--since", "yesterday"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"search", "--start", "2023-13-01T00:00:00Z"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"search", "--since", "1h", "--start", "2h"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"search", "--operation", "x"}), kExitUsage);  // needs --service
  EXPECT_EQ(a.UsageCode({"search", "--tag", "novalue"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"search", "--tag", "=v"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"search", "--limit", "0"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"search", "--limit", "10001"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"search", "--bogus"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"frobnicate"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({}), kExitUsage);
}

TEST(ArgsTest, ServicesOperationsLogs) {
  Args a;
  EXPECT_EQ(a.Target({"services"}), "/api/v1/services");
  EXPECT_EQ(a.Target({"operations", "pay/ment"}), "/api/v1/operations?service=pay%2Fment");
  EXPECT_EQ(a.Target({"operations", "payment", "--kind", "client"}), "/api/v1/operations?service=payment&kind=client");
  EXPECT_EQ(a.UsageCode({"operations"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"operations", "x", "--kind", "sideways"}), kExitUsage);
  EXPECT_EQ(a.Target({"logs", "--trace", "ABC", "--service", "payment", "--level", "WARN", "--grep", "timed out",
                      "--since", "30m", "--limit", "7"}),
            "/api/v1/logs?trace_id=00000000000000000000000000000abc&service=payment&level=warn&q=timed%20out"
            "&lookback=30m&limit=7");
  EXPECT_EQ(a.UsageCode({"logs", "--level", "loud"}), kExitUsage);
  EXPECT_EQ(a.UsageCode({"logs", "--trace", "nothex"}), kExitUsage);
}

TEST(ArgsTest, HelpAndVersionExitZero) {
  Args a;
  auto help = a.Parse({"--help"});
  EXPECT_FALSE(help.invocation);
  EXPECT_EQ(help.exit_code, kExitOk);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  auto sub = a.Parse({"search", "--help"});
  EXPECT_EQ(sub.exit_code, kExitOk);
  EXPECT_NE(sub.out.find("--min-duration"), std::string::npos);
  auto version = a.Parse({"--version"});
  EXPECT_EQ(version.exit_code, kExitOk);
  EXPECT_NE(version.out.find(std::string("callpath ") + CALLPATH_VERSION_STRING), std::string::npos) << version.out;
}

TEST(ArgsTest, ServerComesFromFlagThenEnvironmentThenDefault) {
  Args a;
  EXPECT_EQ(a.Parse({"services"}).invocation->server, "http://127.0.0.1:16686");
  a.vars["CALLPATH_SERVER"] = "http://tracing.internal:8080/";
  EXPECT_EQ(a.Parse({"services"}).invocation->server, "http://tracing.internal:8080");
  // Global options may come before or after the command.
  EXPECT_EQ(a.Parse({"services", "--server", "10.0.0.1:16686"}).invocation->server, "http://10.0.0.1:16686");
  EXPECT_EQ(a.Parse({"--server", "https://h/base/", "services"}).invocation->server, "https://h/base");
  EXPECT_EQ(a.UsageCode({"--server", "ftp://h", "services"}), kExitUsage);
}

TEST(ArgsTest, ColorAutoNeedsATerminalAndHonoursNoColor) {
  Args a;
  EXPECT_FALSE(a.Parse({"services"}).invocation->render.color);
  EXPECT_TRUE(a.Parse({"--color", "always", "services"}).invocation->render.color);
  a.tty = true;
  EXPECT_TRUE(a.Parse({"services"}).invocation->render.color);
  EXPECT_FALSE(a.Parse({"services", "--color", "never"}).invocation->render.color);
  a.vars["NO_COLOR"] = "";
  EXPECT_TRUE(a.Parse({"services"}).invocation->render.color);  // empty NO_COLOR does not count
  a.vars["NO_COLOR"] = "1";
  EXPECT_FALSE(a.Parse({"services"}).invocation->render.color);
  EXPECT_TRUE(a.Parse({"services", "--color=always"}).invocation->render.color);
  a.vars.erase("NO_COLOR");
  a.vars["TERM"] = "dumb";
  EXPECT_FALSE(a.Parse({"services"}).invocation->render.color);
  EXPECT_EQ(a.UsageCode({"--color", "sometimes", "services"}), kExitUsage);
}

TEST(ArgsTest, WidthFollowsTheTerminalAndPipesGetWholeLines) {
  Args a;
  EXPECT_EQ(a.Parse({"services"}).invocation->render.width, 0u);
  EXPECT_EQ(a.Parse({"services", "--width", "90"}).invocation->render.width, 90u);
  a.tty = true;
  a.columns = 132;
  EXPECT_EQ(a.Parse({"services"}).invocation->render.width, 132u);
}

TEST(ArgsTest, OutputModes) {
  Args a;
  EXPECT_EQ(a.Parse({"services"}).invocation->output, OutputMode::kText);
  EXPECT_EQ(a.Parse({"services", "--json"}).invocation->output, OutputMode::kJson);
  EXPECT_EQ(a.Parse({"--raw", "services"}).invocation->output, OutputMode::kRawJson);
}

}  // namespace
}  // namespace callpath::cli
