// TLS on every listener of a live callpathd, with a CA, a server
// certificate and a client certificate made by the test (openssl CLI):
// callpath's own SDK exports over HTTPS with an API key; curl with a client
// certificate passes mutual TLS and curl without one is refused; gRPC
// exports over TLS with the key in its metadata; plain HTTP is refused.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "callpath/exporters.h"
#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"
#include "daemon/test_certificates.h"
#include "integration/testing/sample_spans.h"

namespace callpath::testing {
namespace {

int Shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = dir_.path() + "/certs";
    std::filesystem::create_directories(certs_);
    ASSERT_TRUE(MakeCertificates(certs_)) << "openssl could not make the test certificates";
    keys_file_ = dir_.path() + "/keys";
    key_ = Capture(std::string(CALLPATH_BIN_DIR) + "/callpathd key new --keys-file " + keys_file_ +
                   " --tenant tls --scopes ingest,query 2>/dev/null");
    while (!key_.empty() && key_.back() == '\n') key_.pop_back();
    ASSERT_EQ(key_.rfind("cpk_", 0), 0u) << key_;
  }

  bool StartDaemon(bool mutual) {
    std::vector<std::string> flags = {"--keys-file", keys_file_, "--tls-cert", certs_ + "/server.pem",
                                      "--tls-key", certs_ + "/server.key", "--max-item-age", "0"};
    if (mutual) flags.insert(flags.end(), {"--tls-client-ca", certs_ + "/ca.pem"});
    return daemon_.Start(dir_.path() + "/data", flags);
  }

  // curl's HTTP status for `url` ("000" when no HTTP answer).
  std::string CurlStatus(const std::string& url, const std::string& extra) {
    return Capture("curl -s -o /dev/null -w '%{http_code}' --max-time 30 --cacert '" + certs_ + "/ca.pem' " + extra +
                   " '" + url + "'");
  }

  TempDir dir_;
  std::string certs_, keys_file_, key_;
  DaemonProcess daemon_;
};

TEST_F(TlsTest, SdkExporterDeliversOverHttpsWithAKey) {
  ASSERT_TRUE(StartDaemon(false)) << daemon_.error();
  OtlpHttpExporterOptions o;
  o.endpoint = "https://127.0.0.1:" + std::to_string(daemon_.otlp_http_port()) + "/v1/traces";
  o.certificate_file = certs_ + "/ca.pem";
  o.headers = {{"authorization", "Bearer " + key_}};
  o.timeout = std::chrono::seconds(30);
  OtlpHttpExporter exporter(o);
  auto batch = SampleBatch();
  Status s = exporter.Export(batch, SampleResource());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(exporter.stats().exported_spans, batch.size());

  // Without the key the same exporter is refused.
  o.headers.clear();
  o.retry.max_attempts = 1;
  OtlpHttpExporter keyless(o);
  EXPECT_FALSE(keyless.Export(batch, SampleResource()).ok());

  // The query port is HTTPS too, and answers the key's tenant.
  std::string q = "https://127.0.0.1:" + std::to_string(daemon_.query_port());
  // What was exported reads back through the query API over TLS with the key.
  std::string trace;
  for (int i = 0; i < 100 && trace.find("charge card") == std::string::npos; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    trace = Capture("curl -s --max-time 30 --cacert '" + certs_ + "/ca.pem' -H 'Authorization: Bearer " + key_ +
                    "' '" + q + "/api/traces/4bf92f3577b34da6a3ce929d0e0e4736'");
  }
  EXPECT_NE(trace.find("charge card"), std::string::npos) << trace;
  EXPECT_NE(trace.find("POST /checkout"), std::string::npos) << trace;
  EXPECT_EQ(CurlStatus(q + "/api/services", "-H 'Authorization: Bearer " + key_ + "'"), "200");
  EXPECT_EQ(CurlStatus(q + "/api/services", ""), "401");
  // Plain HTTP on a TLS port gets no HTTP answer.
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/healthz").status, 0);
  // TLS 1.1 is refused.
  EXPECT_EQ(CurlStatus(q + "/healthz", "--tlsv1.1 --tls-max 1.1"), "000");
}

TEST_F(TlsTest, SdkExporterFromEnvironmentSendsHeadersAndTrustsTheCa) {
  ASSERT_TRUE(StartDaemon(false)) << daemon_.error();
  ::setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
           ("https://127.0.0.1:" + std::to_string(daemon_.otlp_http_port()) + "/v1/traces").c_str(), 1);
  ::setenv("OTEL_EXPORTER_OTLP_HEADERS", ("authorization=Bearer%20" + key_).c_str(), 1);
  ::setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", (certs_ + "/ca.pem").c_str(), 1);
  OtlpHttpExporterOptions o = OtlpHttpExporterOptions::FromEnvironment(OtlpSignal::kTraces);
  ::unsetenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  ::unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
  ::unsetenv("OTEL_EXPORTER_OTLP_CERTIFICATE");
  o.timeout = std::chrono::seconds(30);
  OtlpHttpExporter exporter(o);
  auto batch = SampleBatch();
  Status s = exporter.Export(batch, SampleResource());
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(TlsTest, MutualTlsNeedsAClientCertificate) {
  ASSERT_TRUE(StartDaemon(true)) << daemon_.error();
  std::string q = "https://127.0.0.1:" + std::to_string(daemon_.query_port()) + "/api/services";
  std::string auth = "-H 'Authorization: Bearer " + key_ + "'";
  EXPECT_EQ(CurlStatus(q, auth + " --cert '" + certs_ + "/client.pem' --key '" + certs_ + "/client.key'"), "200");
  EXPECT_EQ(CurlStatus(q, auth), "000");  // the handshake fails without a client certificate
  // A certificate the CA did not sign is refused too.
  ASSERT_EQ(Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=stranger -keyout '" + certs_ +
                  "/stranger.key' -out '" + certs_ + "/stranger.pem' >/dev/null 2>&1"),
            0);
  EXPECT_EQ(CurlStatus(q, auth + " --cert '" + certs_ + "/stranger.pem' --key '" + certs_ + "/stranger.key'"), "000");
}

TEST_F(TlsTest, YamlGivesOneListenerItsOwnTls) {
  std::string yaml = dir_.path() + "/callpathd.yaml";
  std::ofstream(yaml) << "query_tls: {cert: " << certs_ << "/server.pem, key: " << certs_ << "/server.key}\n";
  ASSERT_TRUE(daemon_.Start(dir_.path() + "/data", {"--config", yaml, "--keys-file", keys_file_})) << daemon_.error();
  std::string q = "https://127.0.0.1:" + std::to_string(daemon_.query_port()) + "/api/services";
  EXPECT_EQ(CurlStatus(q, "-H 'Authorization: Bearer " + key_ + "'"), "200");
  EXPECT_EQ(HttpCall(daemon_.query_port(), "GET", "/healthz").status, 0);       // TLS only
  EXPECT_EQ(HttpCall(daemon_.otlp_http_port(), "GET", "/healthz").status, 200);  // still plain
}

TEST_F(TlsTest, GrpcExportsOverTlsWithAKey) {
  ASSERT_TRUE(StartDaemon(false)) << daemon_.error();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Slurp(certs_ + "/ca.pem");
  auto channel = grpc::CreateChannel("localhost:" + std::to_string(daemon_.otlp_grpc_port()), grpc::SslCredentials(ssl));
  grpc::GenericStub stub(channel);
  std::mt19937_64 rng(3);
  std::string bytes = MakeTraceRequest(RandomBytes(rng, 16), 2, "tls-svc", NowNs(), rng).SerializeAsString();
  auto call = [&](const std::string& authorization) {
    grpc::Slice slice(bytes.data(), bytes.size());
    grpc::ByteBuffer req(&slice, 1), resp;
    grpc::ClientContext ctx;
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub.UnaryCall(&ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", grpc::StubOptions(), &req,
                   &resp, [&](grpc::Status s) {
                     std::lock_guard<std::mutex> lock(mu);
                     status = s;
                     done = true;
                     cv.notify_one();
                   });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    return status;
  };
  grpc::Status ok = call("Bearer " + key_);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(call("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace callpath::testing
