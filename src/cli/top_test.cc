#include "cli/top.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/app.h"
#include "cli/golden.h"

namespace callpath::cli {
namespace {

struct TopRun {
  int code = -1;
  std::string out, err, url;
};

// `callpath argv...` against a server that answers `body` with `status`.
TopRun RunTop(std::vector<std::string> argv, int status, std::string body) {
  TopRun r;
  argv.insert(argv.begin(), "callpath");
  std::vector<const char*> ptrs;
  for (const auto& a : argv) ptrs.push_back(a.c_str());
  Environment env;
  env.getenv = [](const char*) -> const char* { return nullptr; };
  env.http_get = [&](const std::string& url, long) {
    r.url = url;
    HttpReply reply;
    reply.answered = true;
    reply.status = status;
    reply.body = body;
    return reply;
  };
  std::ostringstream out, err;
  r.code = RunCli(static_cast<int>(ptrs.size()), ptrs.data(), env, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(TopTest, ServicesWithTheirChangeAgainstTheWindowBefore) {
  TopRun r = RunTop({"top", "--width", "0"}, 200, testing::ReadTestdata("top_services.json"));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.url, "http://127.0.0.1:16686/api/v1/top?since=15m");
  testing::ExpectGolden("top_services.txt", r.out);
}

TEST(TopTest, OneServicesOperations) {
  TopRun r = RunTop({"top", "--since", "5m", "--service", "payment", "--width", "0"}, 200,
                 testing::ReadTestdata("top_operations.json"));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.url, "http://127.0.0.1:16686/api/v1/top?since=5m&service=payment");
  testing::ExpectGolden("top_operations.txt", r.out);
}

TEST(TopTest, AWindowWithoutCallsSaysSo) {
  TopRun r = RunTop({"top"}, 200, R"({"service":null,"window_ns":900000000000,"rows":[]})");
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "callpath: no calls in the window\n");
}

TEST(TopTest, BadSinceIsAUsageErrorBeforeAnyRequest) {
  TopRun r = RunTop({"top", "--since", "15"}, 200, "{}");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.url, "");
  EXPECT_NE(r.err.find("--since"), std::string::npos) << r.err;
}

TEST(TopTest, AnUnreadableAnswerIsAServerError) {
  for (const char* body : {"", "[]", "{\"rows\":3}", "{\"rows\":[1]}", "not json"}) {
    TopRun r = RunTop({"top"}, 200, body);
    EXPECT_EQ(r.code, kExitServer) << body;
  }
  EXPECT_FALSE(ParseTop("{\"rows\":[1]}").ok());
  auto ok = ParseTop(R"({"rows":[{"service":"a","calls":2,"p99_ms":null,"previous":{"calls":1,"p99_ms":3.5}}]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->rows[0].now.p99_ms.has_value());
  EXPECT_EQ(ok->rows[0].before.p99_ms, 3.5);
}

}  // namespace
}  // namespace callpath::cli
