// callpath-gateway speaking TLS to an upstream: an HTTPS test upstream
// with a certificate of a CA made here (openssl CLI); the gateway verifies
// it against the configured CA file and refuses it without.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "gateway_fixture.h"

namespace gateway_test {
namespace {

class GatewayUpstreamTlsTest : public GatewayTest {
 protected:
  void SetUp() override {
    GatewayTest::SetUp();
    const std::string d = dir_ + "/tls/";
    std::filesystem::create_directories(d);
    WriteFile(d + "ext", "subjectAltName=DNS:upstream.test,IP:127.0.0.1\n");
    const std::string quiet = " >/dev/null 2>&1";
    for (const std::string& c :
         {"openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=gw-test-ca -keyout '" + d +
              "ca.key' -out '" + d + "ca.pem'",
          "openssl req -newkey rsa:2048 -nodes -subj /CN=upstream.test -keyout '" + d +
              "server.key' -out '" + d + "server.csr'",
          "openssl x509 -req -in '" + d + "server.csr' -CA '" + d + "ca.pem' -CAkey '" + d +
              "ca.key' -CAcreateserial -days 2 -extfile '" + d + "ext' -out '" + d + "server.pem'"}) {
      ASSERT_EQ(std::system((c + quiet).c_str()), 0) << c;
    }
  }

  int StartTlsUpstream() {
    const std::string ready = dir_ + "/tls-upstream.port";
    upstreams_.push_back(Process::Spawn(
        {CALLPATH_TEST_UPSTREAM, "--name", "secure", "--ready-file", ready, "--tls-cert",
         dir_ + "/tls/server.pem", "--tls-key", dir_ + "/tls/server.key"},
        {}, dir_ + "/secure.out", dir_ + "/secure.err"));
    EXPECT_TRUE(WaitUntil([&] { return !ReadFile(ready).empty(); })) << ReadFile(dir_ + "/secure.err");
    return std::atoi(ReadFile(ready).c_str());
  }

  std::string Upstream(int port, const std::string& tls) {
    return "routes:\n"
           "  - match: {path_prefix: /api}\n"
           "    upstream: secure\n"
           "    timeout: 10s\n"
           "upstreams:\n"
           "  secure:\n"
           "    endpoints: [\"https://127.0.0.1:" + std::to_string(port) + "\"]\n" + tls;
  }
};

TEST_F(GatewayUpstreamTlsTest, ProxiesOverTlsVerifyingTheUpstreamAgainstTheCaFile) {
  const int up = StartTlsUpstream();
  ASSERT_TRUE(StartGateway(Config(Upstream(
      up, "    tls: {ca_file: " + dir_ + "/tls/ca.pem, server_name: upstream.test}\n"))));
  for (int i = 0; i < 3; ++i) {  // later requests reuse the pooled TLS connection
    HttpResult r = HttpGet(port_, "/api/orders/" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(JsonField(r.body, "name"), "secure");
    EXPECT_EQ(JsonField(r.body, "target"), "/api/orders/" + std::to_string(i));
    if (i == 0) {
      std::vector<CollectedSpan> spans = AwaitSpans(r.headers["x-trace-id"], 2);
      const CollectedSpan* client = Find(spans, 3);
      ASSERT_NE(client, nullptr);
      EXPECT_EQ(client->attributes.at("url.full").rfind("https://127.0.0.1:", 0), 0u);
    }
  }
}

TEST_F(GatewayUpstreamTlsTest, UpstreamNotSignedByTheTrustedCaIsRefused) {
  const int up = StartTlsUpstream();
  // The system trust store does not know the test CA: 502, nothing sent.
  ASSERT_TRUE(StartGateway(Config(Upstream(up, "    tls: {server_name: upstream.test}\n"))));
  EXPECT_EQ(HttpGet(port_, "/api/x").status, 502);
}

TEST_F(GatewayUpstreamTlsTest, UpstreamWhoseNameDoesNotMatchIsRefused) {
  const int up = StartTlsUpstream();
  ASSERT_TRUE(StartGateway(Config(Upstream(
      up, "    tls: {ca_file: " + dir_ + "/tls/ca.pem, server_name: other.test}\n"))));
  EXPECT_EQ(HttpGet(port_, "/api/x").status, 502);
}

}  // namespace
}  // namespace gateway_test
