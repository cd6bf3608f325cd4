// RunCli end to end over an HTTP seam: exit codes, where messages go, and
// what --json / --raw print. (tests/cli runs the binary against a real
// callpathd.)
#include "cli/app.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "cli/golden.h"

namespace callpath::cli {
namespace {

struct Run {
  int code = -1;
  std::string out, err;
  std::vector<std::string> urls;
};

// Runs `callpath argv...` against a server that answers every request with
// `reply`.
Run RunWith(const HttpReply& reply, std::vector<std::string> argv) {
  Run r;
  argv.insert(argv.begin(), "callpath");
  std::vector<const char*> ptrs;
  for (const auto& a : argv) ptrs.push_back(a.c_str());
  Environment env;
  env.getenv = [](const char*) -> const char* { return nullptr; };
  env.http_get = [&](const std::string& url, long) {
    r.urls.push_back(url);
    return reply;
  };
  std::ostringstream out, err;
  r.code = RunCli(static_cast<int>(ptrs.size()), ptrs.data(), env, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

HttpReply Answer(int status, std::string body) {
  HttpReply r;
  r.answered = true;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(AppTest, RendersATraceAndExitsZero) {
  auto r = RunWith(Answer(200, testing::ReadTestdata("trace_failing_checkout.json")),
                   {"trace", "4b000000000000000000000000000001", "--utc", "--width", "120"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  ASSERT_EQ(r.urls.size(), 2u);
  EXPECT_EQ(r.urls[0], "http://127.0.0.1:16686/api/v1/traces/4b000000000000000000000000000001");
  EXPECT_EQ(r.urls[1], "http://127.0.0.1:16686/api/v1/traces/4b000000000000000000000000000001/explain");
  // The second answer is no explain document (this server answers the
  // trace to everything): the trace ends with its own footer.
  EXPECT_EQ(r.out, testing::ReadTestdata("trace_failing_checkout.txt"));
  EXPECT_EQ(r.err, "");
}

TEST(AppTest, TraceEndsWithTheServersExplainVerdict) {
  std::vector<std::string> urls;
  const char* argv[] = {"callpath", "trace", "4b000000000000000000000000000001", "--utc", "--width", "120"};
  Environment env;
  env.getenv = [](const char*) -> const char* { return nullptr; };
  env.http_get = [&](const std::string& url, long) {
    urls.push_back(url);
    return Answer(200, testing::ReadTestdata(url.ends_with("/explain") ? "explain_failing_checkout.json"
                                                                       : "trace_failing_checkout.json"));
  };
  std::ostringstream out, err;
  EXPECT_EQ(RunCli(6, argv, env, out, err), kExitOk) << err.str();
  EXPECT_EQ(urls.size(), 2u);
  EXPECT_EQ(out.str(), testing::ReadTestdata("trace_failing_checkout.explain.txt"));
}

TEST(AppTest, ExplainRendersTheCausesAndUnknownTracesExitThree) {
  auto r = RunWith(Answer(200, testing::ReadTestdata("explain_failing_checkout.json")),
                   {"explain", "4b000000000000000000000000000001", "--utc", "--width", "120"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  ASSERT_EQ(r.urls.size(), 1u);
  EXPECT_EQ(r.urls[0], "http://127.0.0.1:16686/api/v1/traces/4b000000000000000000000000000001/explain");
  EXPECT_EQ(r.out, testing::ReadTestdata("explain_failing_checkout.txt"));
  auto json = RunWith(Answer(200, R"({"status":"ok","causes":[]})"), {"explain", "ab", "--json"});
  EXPECT_EQ(json.code, kExitOk);
  EXPECT_NE(json.out.find("\"status\": \"ok\""), std::string::npos) << json.out;
  auto missing = RunWith(Answer(404, R"({"error":"trace not found","status":404})"), {"explain", "abc"});
  EXPECT_EQ(missing.code, kExitNotFound);
  EXPECT_EQ(missing.err, "callpath: trace abc not found\n");
  EXPECT_EQ(RunWith(Answer(200, "{}"), {"explain", "not-hex"}).code, kExitUsage);
}

TEST(AppTest, UnknownTraceExitsThree) {
  auto r = RunWith(Answer(404, R"({"error":"trace not found","status":404})"), {"trace", "abc"});
  EXPECT_EQ(r.code, kExitNotFound);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "callpath: trace abc not found\n");
}

TEST(AppTest, RejectedQueryExitsTwoWithTheServersReason) {
  auto r = RunWith(Answer(400, R"({"error":"parameter limit: must be 1..10000","status":400})"), {"search"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("parameter limit: must be 1..10000"), std::string::npos) << r.err;
}

TEST(AppTest, ServerErrorsAndGarbageExitFour) {
  auto r = RunWith(Answer(500, R"({"error":"store: IO error","status":500})"), {"services"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_NE(r.err.find("HTTP 500: store: IO error"), std::string::npos) << r.err;
  // A 404 on a list endpoint means a wrong server or path, not "no data".
  r = RunWith(Answer(404, "<html>nope</html>"), {"services"});
  EXPECT_EQ(r.code, kExitServer);
  r = RunWith(Answer(200, "<html>this is not callpathd</html>"), {"search"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_NE(r.err.find("unreadable answer"), std::string::npos) << r.err;
  r = RunWith(Answer(200, R"({"something":"else"})"), {"trace", "abc"});
  EXPECT_EQ(r.code, kExitServer);
}

TEST(AppTest, UnreachableServerExitsFour) {
  HttpReply none;
  none.error = "Couldn't connect to server";
  auto r = RunWith(none, {"--server", "http://127.0.0.1:9", "services"});
  EXPECT_EQ(r.code, kExitServer);
  EXPECT_NE(r.err.find("cannot reach the callpath server at http://127.0.0.1:9"), std::string::npos) << r.err;
}

TEST(AppTest, UsageErrorsMakeNoRequest) {
  auto r = RunWith(Answer(200, "{}"), {"trace", "not-hex"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(r.urls.empty());
  EXPECT_EQ(r.out, "");
}

TEST(AppTest, EmptyResultsExitZeroWithANoteOnStderr) {
  auto r = RunWith(Answer(200, R"({"traces":[],"count":0})"), {"search", "--service", "x"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "callpath: no traces found\n");
  r = RunWith(Answer(200, R"({"logs":[]})"), {"logs"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.err, "callpath: no log records found\n");
}

TEST(AppTest, FullPageOfResultsSaysHowToSeeMore) {
  auto r = RunWith(Answer(200, testing::ReadTestdata("search_results.json")), {"search", "--limit", "4"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_NE(r.err.find("raise --limit"), std::string::npos) << r.err;
}

TEST(AppTest, JsonPrintsTheAnswerPrettyOrRaw) {
  std::string body = R"({"services":["a","b"]})";
  auto r = RunWith(Answer(200, body), {"services", "--raw"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, body + "\n");
  r = RunWith(Answer(200, body), {"services", "--json"});
  EXPECT_EQ(r.out, "{\n  \"services\": [\n    \"a\",\n    \"b\"\n  ]\n}\n");
}

// The real libcurl client against a loopback port nobody listens on.
TEST(AppTest, RealClientReportsAConnectionRefusedAsExitFour) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // bound, never listening
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string server = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  std::vector<const char*> argv = {"callpath", "--server", server.c_str(), "services"};
  Environment env = Environment::FromProcess();
  env.getenv = [](const char*) -> const char* { return nullptr; };
  std::ostringstream out, err;
  int code = RunCli(static_cast<int>(argv.size()), argv.data(), env, out, err);
  ::close(fd);
  EXPECT_EQ(code, kExitServer);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find("cannot reach"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace callpath::cli
