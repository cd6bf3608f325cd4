// callpath-gateway terminating TLS from clients: a CA, a server and a client
// certificate made here with the openssl CLI; curl as the HTTPS client.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "gateway_fixture.h"

namespace gateway_test {
namespace {

struct CurlResult {
  std::string code;  // "000" when no HTTP response came (refused handshake)
  std::string body;
  std::string headers;
};

class GatewayClientTlsTest : public GatewayTest {
 protected:
  void SetUp() override {
    GatewayTest::SetUp();
    tls_ = dir_ + "/tls/";
    std::filesystem::create_directories(tls_);
    const std::string& d = tls_;
    WriteFile(d + "server.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    WriteFile(d + "client.ext", "extendedKeyUsage=clientAuth\n");
    const std::string quiet = " >/dev/null 2>&1";
    auto signed_by_ca = [&](const std::string& name) {
      return "openssl x509 -req -in '" + d + name + ".csr' -CA '" + d + "ca.pem' -CAkey '" + d +
             "ca.key' -CAcreateserial -days 2 -extfile '" + d + name + ".ext' -out '" + d + name +
             ".pem'";
    };
    for (const std::string& c :
         {"openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=gw-client-test-ca "
          "-keyout '" + d + "ca.key' -out '" + d + "ca.pem'",
          "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout '" + d +
              "server.key' -out '" + d + "server.csr'",
          signed_by_ca("server"),
          "openssl req -newkey rsa:2048 -nodes -subj /CN=shop-client -keyout '" + d +
              "client.key' -out '" + d + "client.csr'",
          signed_by_ca("client")}) {
      ASSERT_EQ(std::system((c + quiet).c_str()), 0) << c;
    }
  }

  std::string TlsSection(bool mutual, bool admin = false) const {
    return "tls: {cert_file: " + tls_ + "server.pem, key_file: " + tls_ + "server.key" +
           (mutual ? ", client_ca_file: " + tls_ + "ca.pem" : std::string()) +
           (admin ? ", admin: true" : "") + "}\n";
  }

  // GET https://127.0.0.1:<port><target> with curl, trusting the test CA.
  CurlResult HttpsGet(const std::string& target, const std::string& extra_args = "",
                      int port = 0) {
    const std::string body = dir_ + "/curl.body", head = dir_ + "/curl.head";
    std::filesystem::remove(body);
    std::filesystem::remove(head);
    const std::string cmd = "curl -s --max-time 20 --cacert '" + tls_ + "ca.pem' " + extra_args +
                            " -o '" + body + "' -D '" + head + "' -w '%{http_code}' " +
                            "https://127.0.0.1:" + std::to_string(port != 0 ? port : port_) +
                            target + " 2>/dev/null";
    CurlResult r;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[64];
      while (fgets(buf, sizeof buf, p) != nullptr) r.code += buf;
      pclose(p);
    }
    r.body = ReadFile(body);
    r.headers = ReadFile(head);
    return r;
  }

  std::string ClientCertArgs() const {
    return "--cert '" + tls_ + "client.pem' --key '" + tls_ + "client.key'";
  }

  std::string tls_;
};

// The value of response header `name` (lowercase) in curl's -D output.
std::string HeaderValue(const std::string& head, const std::string& name) {
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = lower.find("\n" + name + ":");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 2;
  while (start < head.size() && head[start] == ' ') ++start;
  return head.substr(start, head.find('\r', start) - start);
}

TEST_F(GatewayClientTlsTest, HttpsRequestIsProxiedAsHttpsWithForwardedProtoHttps) {
  const int up = StartUpstream("main");
  ASSERT_TRUE(StartGateway(Config(TlsSection(false) + OneRoute(up))));
  CurlResult r = HttpsGet("/api/orders/7");
  ASSERT_EQ(r.code, "200") << r.body;
  EXPECT_EQ(JsonField(r.body, "target"), "/api/orders/7");
  EXPECT_EQ(JsonField(r.body, "x-forwarded-proto"), "https");
  const std::string trace_id = HeaderValue(r.headers, "x-trace-id");
  ASSERT_FALSE(trace_id.empty()) << r.headers;
  std::vector<CollectedSpan> spans = AwaitSpans(trace_id, 2);
  const CollectedSpan* server = Find(spans, 2);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->attributes.at("url.scheme"), "https");
}

TEST_F(GatewayClientTlsTest, TlsFromCommandLineFlags) {
  const int up = StartUpstream("main");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up)), {},
                           {"--tls-cert", tls_ + "server.pem", "--tls-key", tls_ + "server.key"}));
  CurlResult r = HttpsGet("/api/x");
  ASSERT_EQ(r.code, "200") << r.body;
  EXPECT_EQ(JsonField(r.body, "x-forwarded-proto"), "https");
}

TEST_F(GatewayClientTlsTest, PlainHttpToTheTlsPortGetsNoHttpAnswer) {
  const int up = StartUpstream("main");
  ASSERT_TRUE(StartGateway(Config(TlsSection(false) + OneRoute(up))));
  bool closed = false;
  const std::string answer =
      RawExchange(port_, "GET /api/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(answer.find("HTTP/1."), std::string::npos) << answer;
  EXPECT_EQ(HttpsGet("/api/x").code, "200");  // and the gateway keeps serving
}

TEST_F(GatewayClientTlsTest, MutualTlsRefusesAClientWithoutCertificate) {
  const int up = StartUpstream("main");
  ASSERT_TRUE(StartGateway(Config(TlsSection(true) + OneRoute(up))));
  EXPECT_EQ(HttpsGet("/api/x").code, "000");
  CurlResult r = HttpsGet("/api/x", ClientCertArgs());
  ASSERT_EQ(r.code, "200") << r.body;
  EXPECT_EQ(JsonField(r.body, "x-forwarded-proto"), "https");
}

TEST_F(GatewayClientTlsTest, ClientThatNeverHandshakesIsClosedAfterTheIdleTimeout) {
  const int up = StartUpstream("main");
  ASSERT_TRUE(StartGateway(Config("client_idle_timeout: 1s\n" + TlsSection(false) + OneRoute(up))));
  bool closed = false;
  // Connects and sends nothing; RawExchange waits up to 30 s for the close.
  const std::string answer = RawExchange(port_, "", &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(answer, "");
  EXPECT_EQ(HttpsGet("/api/x").code, "200");
}

TEST_F(GatewayClientTlsTest, AdminPortIsPlainUnlessTlsAdmin) {
  const int up = StartUpstream("main");
  ASSERT_TRUE(StartGateway(Config(TlsSection(false) + OneRoute(up))));
  EXPECT_EQ(HttpGet(admin_port_, "/healthz").status, 200);
  gateway_->Signal(SIGTERM);
  gateway_->Wait(30s);
  std::filesystem::remove(dir_ + "/gateway.ready");  // else the next start reads the old ports
  ASSERT_TRUE(StartGateway(Config(TlsSection(true, true) + OneRoute(up))));
  EXPECT_EQ(HttpGet(admin_port_, "/healthz").status, 0);        // plain HTTP: no answer
  EXPECT_EQ(HttpsGet("/healthz", "", admin_port_).code, "000");  // no client certificate
  CurlResult r = HttpsGet("/metrics", ClientCertArgs(), admin_port_);
  EXPECT_EQ(r.code, "200");
  EXPECT_NE(r.body.find("callpath_gateway_"), std::string::npos);
}

TEST_F(GatewayClientTlsTest, MissingCertificateFileIsAStartupError) {
  const int up = StartUpstream("main");
  EXPECT_FALSE(StartGateway(Config("tls: {cert_file: " + dir_ + "/absent.pem, key_file: " + tls_ +
                                   "server.key}\n" + OneRoute(up))));
  EXPECT_TRUE(WaitUntil([&] { return !gateway_->Running(); }));
  EXPECT_NE(ReadFile(dir_ + "/gateway.err").find("tls.cert_file '" + dir_ + "/absent.pem'"),
            std::string::npos)
      << ReadFile(dir_ + "/gateway.err");
}

TEST_F(GatewayClientTlsTest, ReloadWithAKeyThatDoesNotMatchKeepsTheRunningCertificate) {
  const int up = StartUpstream("main");
  ASSERT_TRUE(StartGateway(Config(TlsSection(false) + OneRoute(up))));
  ASSERT_EQ(HttpsGet("/api/x").code, "200");
  WriteFile(config_path_, Config("tls: {cert_file: " + tls_ + "server.pem, key_file: " + tls_ +
                                 "client.key}\n" + OneRoute(up)));
  gateway_->Signal(SIGHUP);
  ASSERT_TRUE(WaitUntil([&] {
    return ReadFile(dir_ + "/gateway.err").find("reload rejected") != std::string::npos;
  }));
  EXPECT_NE(ReadFile(dir_ + "/gateway.err").find("tls.key_file '" + tls_ + "client.key'"),
            std::string::npos)
      << ReadFile(dir_ + "/gateway.err");
  EXPECT_EQ(HttpsGet("/api/x").code, "200");
}

}  // namespace
}  // namespace gateway_test
