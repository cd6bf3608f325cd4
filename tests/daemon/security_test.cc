// Authentication on live listeners: every port of a callpathd started with
// --keys-file refuses requests without a valid key (401 / UNAUTHENTICATED),
// with the wrong scope (403 / PERMISSION_DENIED), answers with the right
// one, rereads its keys on SIGHUP, and throttles an address that keeps
// failing. And callpathd refuses to listen beyond loopback without keys.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "daemon/daemon_harness.h"
#include "daemon/grpc_call.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {


struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command; stdout (and stderr when asked) captured.
CommandResult RunShell(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Callpathd() { return std::string(CALLPATH_BIN_DIR) + "/callpathd"; }

// `callpathd key new`: the key printed on stdout.
std::string NewKey(const std::string& keys_file, const std::string& tenant, const std::string& scopes) {
  CommandResult r = RunShell(Callpathd() + " key new --keys-file " + keys_file + " --tenant " + tenant + " --scopes " +
                        scopes + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0);
  while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
  return r.output;
}

grpc::Status GrpcExport(uint16_t port, const std::string& bytes, const std::string& authorization) {
  if (authorization.empty()) return GrpcUnaryCall(port, kOtlpTraceExport, bytes);
  return GrpcUnaryCall(port, kOtlpTraceExport, bytes, {{"authorization", authorization}});
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_file_ = dir_.path() + "/keys";
    ingest_ = NewKey(keys_file_, "alpha", "ingest");
    query_ = NewKey(keys_file_, "alpha", "query");
    admin_ = NewKey(keys_file_, "alpha", "admin");
    ASSERT_FALSE(ingest_.empty());
    ASSERT_TRUE(daemon_.Start(dir_.path() + "/data", {"--keys-file", keys_file_})) << daemon_.error();
    std::mt19937_64 rng(11);
    trace_body_ = MakeTraceRequest(RandomBytes(rng, 16), 3, "secure-svc", NowNs(), rng).SerializeAsString();
  }

  HttpResult Ingest(const std::string& key) {
    HttpCallOptions o;
    o.content_type = "application/x-protobuf";
    if (!key.empty()) o.headers.emplace_back("Authorization", "Bearer " + key);
    return HttpCall(daemon_.otlp_http_port(), "POST", "/v1/traces", trace_body_, o);
  }
  HttpResult Query(const std::string& method, const std::string& target, const std::string& key,
                   const std::string& body = {}) {
    HttpCallOptions o;
    o.content_type = "application/json";
    if (!key.empty()) o.headers.emplace_back("Authorization", "Bearer " + key);
    return HttpCall(daemon_.query_port(), method, target, body, o);
  }

  TempDir dir_;
  std::string keys_file_;
  std::string ingest_, query_, admin_;
  std::string trace_body_;
  DaemonProcess daemon_;
};

TEST_F(SecurityTest, OtlpHttpNeedsAnIngestKey) {
  HttpResult none = Ingest("");
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_EQ(none.headers["www-authenticate"].rfind("Bearer", 0), 0u);
  std::string forged = ingest_;
  forged.back() = forged.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(Ingest(forged).status, 401);
  EXPECT_EQ(Ingest("not-a-key").status, 401);
  EXPECT_EQ(Ingest(query_).status, 403);
  HttpResult ok = Ingest(ingest_);
  EXPECT_EQ(ok.status, 200) << ok.body;
  // Probes stay open; /metrics is not on the ingest port at all.
  EXPECT_EQ(HttpCall(daemon_.otlp_http_port(), "GET", "/healthz").status, 200);
  HttpCallOptions with_key;
  with_key.headers.emplace_back("Authorization", "Bearer " + ingest_);
  EXPECT_EQ(HttpCall(daemon_.otlp_http_port(), "GET", "/metrics", "", with_key).status, 404);
}

TEST_F(SecurityTest, OtlpGrpcNeedsAnIngestKey) {
  EXPECT_EQ(GrpcExport(daemon_.otlp_grpc_port(), trace_body_, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GrpcExport(daemon_.otlp_grpc_port(), trace_body_, "Bearer cpk_forged").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GrpcExport(daemon_.otlp_grpc_port(), trace_body_, "Bearer " + query_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status ok = GrpcExport(daemon_.otlp_grpc_port(), trace_body_, "Bearer " + ingest_);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
}

TEST_F(SecurityTest, EveryQueryEndpointNeedsAQueryKey) {
  const std::string mcp = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"GET", "/api/services"},
      {"GET", "/api/traces?service=secure-svc"},
      {"GET", "/api/traces/0123456789abcdef0123456789abcdef"},
      {"GET", "/api/dependencies?endTs=1&lookback=1"},
      {"GET", "/api/v1/services"},
      {"GET", "/api/v1/logs?start=0&end=1"},
      {"GET", "/api/v3/services"},
      {"GET", "/api/some-endpoint-added-later"},
      {"POST", "/api/mcp"},
      {"POST", "/anything-not-a-get"},
  };
  for (const auto& [method, target] : endpoints) {
    std::string body = target == "/api/mcp" ? mcp : "";
    HttpResult none = Query(method, target, "", body);
    EXPECT_EQ(none.status, 401) << method << " " << target;
    EXPECT_FALSE(none.headers["www-authenticate"].empty()) << target;
    EXPECT_EQ(Query(method, target, ingest_, body).status, 403) << method << " " << target;
    HttpResult ok = Query(method, target, query_, body);
    EXPECT_NE(ok.status, 401) << target;
    EXPECT_NE(ok.status, 403) << target << ": " << ok.body;
  }
  EXPECT_EQ(Query("GET", "/api/services", query_).status, 200);
  EXPECT_EQ(Query("GET", "/api/services", "cpk_0000000000000000_" + std::string(64, '0')).status, 401);
}

TEST_F(SecurityTest, MetricsNeedAdminAndCountRefusals) {
  EXPECT_EQ(Query("GET", "/metrics", "").status, 401);
  EXPECT_EQ(Query("GET", "/metrics", ingest_).status, 403);
  // A tenant's query key: the figures cover every tenant's traffic.
  EXPECT_EQ(Query("GET", "/metrics", query_).status, 403);
  HttpResult m = Query("GET", "/metrics", admin_);
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("callpathd_auth_requests_total{outcome=\"unauthenticated\"} 1"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("callpathd_auth_requests_total{outcome=\"forbidden\"} 2"), std::string::npos);
}

TEST_F(SecurityTest, QueryPortRefusesForeignHostAndOrigin) {
  HttpCallOptions o;
  o.headers.emplace_back("Authorization", "Bearer " + query_);
  // The harness sends Host: 127.0.0.1; a second Host field is what a
  // rebinding page cannot avoid: a name that is not ours.
  HttpCallOptions evil_origin = o;
  evil_origin.headers.emplace_back("Origin", "http://evil.example");
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/api/services", "", evil_origin).status, 403);
  HttpCallOptions local_origin = o;
  local_origin.headers.emplace_back("Origin", "http://localhost:" + std::to_string(daemon_.query_port()));
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/api/services", "", local_origin).status, 200);
}

TEST_F(SecurityTest, UiAndApiAnswersCarrySecurityHeaders) {
  for (const std::string& target : {std::string("/"), std::string("/api/services")}) {
    HttpResult r = Query("GET", target, query_);
    ASSERT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff") << target;
    EXPECT_EQ(r.headers["referrer-policy"], "no-referrer") << target;
    const std::string csp = r.headers["content-security-policy"];
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;  // no inline scripts
  }
}

TEST_F(SecurityTest, CliSendsCallpathToken) {
  const std::string cli = std::string(CALLPATH_BIN_DIR) + "/callpath services --server http://127.0.0.1:" +
                          std::to_string(daemon_.query_port()) + " >/dev/null 2>&1";
  EXPECT_EQ(RunShell("CALLPATH_TOKEN=" + query_ + " " + cli).exit_code, 0);
  EXPECT_NE(RunShell("env -u CALLPATH_TOKEN " + cli).exit_code, 0);
  EXPECT_NE(RunShell("CALLPATH_TOKEN=" + ingest_ + " " + cli).exit_code, 0);
}

TEST_F(SecurityTest, SighupReloadsTheKeysFile) {
  std::string later = NewKey(keys_file_, "alpha", "ingest");
  ASSERT_EQ(::kill(daemon_.pid(), SIGHUP), 0);
  int status = 0;
  for (int i = 0; i < 500 && (status = Ingest(later).status) == 401; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
  // A keys file emptied of that key takes it away again.
  std::ofstream(keys_file_, std::ios::trunc) << "# no keys\n";
  ASSERT_EQ(::kill(daemon_.pid(), SIGHUP), 0);
  for (int i = 0; i < 500 && (status = Ingest(later).status) == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 401);
  EXPECT_EQ(daemon_.Stop(), 0);
}

TEST_F(SecurityTest, RepeatedFailuresFromOneAddressAreThrottled) {
  int status = 0;
  for (int i = 0; i < 25 && status != 429; ++i) status = Ingest("cpk_bad").status;
  EXPECT_EQ(status, 429);
  HttpResult after = Ingest(ingest_);  // even a good key waits out the window
  EXPECT_EQ(after.status, 429);
  EXPECT_FALSE(after.headers["retry-after"].empty());
}

TEST(SecurityDefaults, RefusesToListenOnEveryInterfaceWithoutKeys) {
  TempDir dir;
  CommandResult r = RunShell(Callpathd() + " --data-dir " + dir.path() +
                        "/data --otlp-grpc-listen '' --otlp-http-listen '' --query-listen :0 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("refusing to listen"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("EVERY network interface"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--keys-file"), std::string::npos) << r.output;
}

TEST(SecurityDefaults, KeyNewAppendsOnlyAHashAndPrintsTheKeyOnce) {
  TempDir dir;
  std::string file = dir.path() + "/keys";
  std::string key = NewKey(file, "shop", "ingest,query");
  ASSERT_EQ(key.rfind("cpk_", 0), 0u) << key;
  std::string text = ReadFileOrDie(file);
  EXPECT_EQ(text.find(key.substr(key.rfind('_') + 1)), std::string::npos);
  EXPECT_NE(text.find(" shop ingest,query "), std::string::npos) << text;
  CommandResult bad = RunShell(Callpathd() + " key new --keys-file " + file + " --tenant shop --scopes root 2>&1");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("unknown scope"), std::string::npos);
}

}  // namespace
}  // namespace callpath::testing
