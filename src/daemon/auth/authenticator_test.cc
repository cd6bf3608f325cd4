#include "daemon/auth/authenticator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daemon/auth/access_policy.h"
#include "daemon/auth/exposure.h"

namespace callpath::daemon::auth {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("callpath-keys-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    ingest_ = GenerateKey("alpha", kScopeIngest).value();
    query_ = GenerateKey("beta", kScopeQuery).value();
    Write(KeysFileLine(ingest_.entry) + KeysFileLine(query_.entry));
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_, std::ios::trunc) << text; }

  std::string path_;
  NewKey ingest_, query_;
};

TEST_F(AuthenticatorTest, OffWithoutKeysFileAllowsEverything) {
  Authenticator a("");
  EXPECT_FALSE(a.enabled());
  EXPECT_EQ(a.Check("", "1.2.3.4", kScopeIngest).code, AccessVerdict::Code::kAllow);
}

TEST_F(AuthenticatorTest, ValidKeyWithScopeIsAllowedWithItsTenant) {
  Authenticator a(path_);
  ASSERT_TRUE(a.Reload().ok());
  AccessVerdict v = a.Check("Bearer " + ingest_.key, "c", kScopeIngest);
  EXPECT_EQ(v.code, AccessVerdict::Code::kAllow);
  EXPECT_EQ(v.tenant, "alpha");
  EXPECT_EQ(a.Check("bearer  " + query_.key, "c", kScopeQuery | kScopeAdmin).tenant, "beta");
}

TEST_F(AuthenticatorTest, MissingForgedOrWrongSchemeKeyIsUnauthenticated) {
  Authenticator a(path_);
  ASSERT_TRUE(a.Reload().ok());
  std::string forged = ingest_.key;
  forged.back() = forged.back() == '0' ? '1' : '0';
  for (const std::string& h : {std::string(), "Bearer " + forged, "Basic " + ingest_.key, ingest_.key,
                               std::string("Bearer cpk_nope")}) {
    EXPECT_EQ(a.Check(h, "c" + h, kScopeIngest).code, AccessVerdict::Code::kUnauthenticated) << h;
  }
}

TEST_F(AuthenticatorTest, KeyWithoutTheScopeIsForbidden) {
  Authenticator a(path_);
  ASSERT_TRUE(a.Reload().ok());
  EXPECT_EQ(a.Check("Bearer " + ingest_.key, "c", kScopeQuery).code, AccessVerdict::Code::kForbidden);
  EXPECT_EQ(a.Check("Bearer " + query_.key, "c", kScopeIngest).code, AccessVerdict::Code::kForbidden);
}

TEST_F(AuthenticatorTest, RepeatedFailuresThrottleThatAddressOnly) {
  Authenticator a(path_);
  ASSERT_TRUE(a.Reload().ok());
  for (int i = 0; i < Authenticator::kMaxFailuresPerWindow; ++i) {
    EXPECT_EQ(a.Check("Bearer wrong", "10.0.0.1", kScopeIngest).code, AccessVerdict::Code::kUnauthenticated);
  }
  AccessVerdict v = a.Check("Bearer " + ingest_.key, "10.0.0.1", kScopeIngest);
  EXPECT_EQ(v.code, AccessVerdict::Code::kThrottled);
  EXPECT_GT(v.retry_after_seconds, 0);
  EXPECT_EQ(a.Check("Bearer " + ingest_.key, "10.0.0.2", kScopeIngest).code, AccessVerdict::Code::kAllow);
  EXPECT_EQ(a.counters().throttled.load(), 1u);
  EXPECT_EQ(a.counters().unauthenticated.load(), static_cast<uint64_t>(Authenticator::kMaxFailuresPerWindow));
}

TEST_F(AuthenticatorTest, ReloadPicksUpNewKeysAndKeepsOldOnesWhenTheFileIsBad) {
  Authenticator a(path_);
  ASSERT_TRUE(a.Reload().ok());
  NewKey added = GenerateKey("gamma", kScopeAdmin).value();
  EXPECT_EQ(a.Check("Bearer " + added.key, "c", kScopeAdmin).code, AccessVerdict::Code::kUnauthenticated);
  Write(KeysFileLine(added.entry));
  ASSERT_TRUE(a.Reload().ok());
  EXPECT_EQ(a.Check("Bearer " + added.key, "c", kScopeAdmin).code, AccessVerdict::Code::kAllow);
  EXPECT_EQ(a.Check("Bearer " + ingest_.key, "c", kScopeIngest).code, AccessVerdict::Code::kUnauthenticated);
  Write("garbage\n");
  EXPECT_FALSE(a.Reload().ok());
  EXPECT_EQ(a.Check("Bearer " + added.key, "c2", kScopeAdmin).code, AccessVerdict::Code::kAllow);
}

TEST(AccessPolicy, ScopesByListenerAndPath) {
  EXPECT_EQ(RequiredScopes(ListenerKind::kIngest, "POST", "/v1/traces"), kScopeIngest);
  EXPECT_EQ(RequiredScopes(ListenerKind::kIngest, "POST", "/loki/api/v1/push"), kScopeIngest);
  EXPECT_EQ(RequiredScopes(ListenerKind::kIngest, "GET", "/healthz"), 0);
  EXPECT_EQ(RequiredScopes(ListenerKind::kQuery, "GET", "/api/traces/abc"), kScopeQuery);
  EXPECT_EQ(RequiredScopes(ListenerKind::kQuery, "POST", "/api/mcp"), kScopeQuery);
  EXPECT_EQ(RequiredScopes(ListenerKind::kQuery, "GET", "/metrics"), kScopeAdmin);
  EXPECT_EQ(RequiredScopes(ListenerKind::kQuery, "POST", "/anything"), kScopeQuery);
  EXPECT_EQ(RequiredScopes(ListenerKind::kQuery, "GET", "/"), 0);  // the UI shell
  EXPECT_EQ(RequiredScopes(ListenerKind::kQuery, "GET", "/readyz"), 0);
}

TEST(AccessPolicy, HostCheckRefusesRebindingNames) {
  HostPolicy loop;
  loop.check = true;
  loop.loopback_listen = true;
  loop.listen_host = "127.0.0.1";
  loop.allowed_names = {"traces.internal"};
  for (const char* ok : {"127.0.0.1:16686", "localhost:16686", "[::1]:16686", "LOCALHOST", "traces.internal:80", ""}) {
    EXPECT_TRUE(HostAllowed(loop, ok)) << ok;
  }
  for (const char* bad : {"evil.example", "evil.example:16686", "10.0.0.5:16686", "127.0.0.1.evil.example"}) {
    EXPECT_FALSE(HostAllowed(loop, bad)) << bad;
  }
  HostPolicy wide = loop;
  wide.loopback_listen = false;
  wide.listen_host = "0.0.0.0";
  EXPECT_TRUE(HostAllowed(wide, "10.0.0.5:16686"));
  EXPECT_FALSE(HostAllowed(wide, "evil.example"));
  EXPECT_EQ(OriginHost("https://a.example:8443/x"), "a.example:8443");
  EXPECT_EQ(OriginHost("null"), "");
}

TEST(Exposure, NonLoopbackWithoutKeysIsRefusedAndWildcardIsNamed) {
  std::vector<Listener> wide = {{"--query-listen", ":16686", "0.0.0.0"}};
  ExposureCheck c = CheckExposure(wide, false, false, false, false);
  ASSERT_FALSE(c.status.ok());
  EXPECT_NE(c.status.message().find("every network interface"), std::string::npos) << c.status.message();
  EXPECT_NE(c.status.message().find("--insecure"), std::string::npos);
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings[0].find("EVERY network interface"), std::string::npos);
  EXPECT_TRUE(CheckExposure(wide, true, true, false, false).status.ok());
  EXPECT_TRUE(CheckExposure(wide, false, true, true, false).status.ok());
  EXPECT_FALSE(CheckExposure(wide, false, true, false, false).status.ok());  // TLS alone authenticates no one
  EXPECT_TRUE(CheckExposure(wide, false, false, false, true).status.ok());
  std::vector<Listener> local = {{"--query-listen", "127.0.0.1:0", "127.0.0.1"}, {"--x", "localhost:1", "localhost"}};
  ExposureCheck l = CheckExposure(local, false, false, false, false);
  EXPECT_TRUE(l.status.ok());
  EXPECT_TRUE(l.warnings.empty());
}

}  // namespace
}  // namespace callpath::daemon::auth
