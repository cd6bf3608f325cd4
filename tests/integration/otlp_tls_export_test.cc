// The OTLP/HTTP span exporter over HTTPS: against a TLS receiver on
// 127.0.0.1 whose self-signed certificate is made for the test, the
// exporter delivers when told to trust that certificate
// (certificate_file, as OTEL_EXPORTER_OTLP_CERTIFICATE sets it) and
// refuses to talk to it otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "callpath/exporters.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "testing/loopback_receiver.h"
#include "testing/sample_spans.h"

namespace callpath {
namespace {

using testing::LoopbackReceiver;

class OtlpTlsExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/callpath-tls-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    cert_ = dir_ + "/cert.pem";
    key_ = dir_ + "/key.pem";
    // A certificate for 127.0.0.1, valid for two days.
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
                            " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
                            key_ + "' -out '" + cert_ + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a certificate: " << cmd;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_, cert_, key_;
};

TEST_F(OtlpTlsExportTest, DeliversOverHttpsWhenTheCertificateIsTrusted) {
  LoopbackReceiver receiver(nullptr, cert_, key_);
  OtlpHttpExporterOptions o;
  o.endpoint = receiver.Url("/v1/traces");
  ASSERT_EQ(o.endpoint.rfind("https://", 0), 0u);
  o.certificate_file = cert_;
  o.timeout = std::chrono::seconds(30);
  OtlpHttpExporter exporter(o);
  auto batch = testing::SampleBatch();
  Status s = exporter.Export(batch, testing::SampleResource());
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 1u);
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(requests[0].body));
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 2);
  EXPECT_EQ(exporter.stats().exported_spans, 2u);
}

TEST_F(OtlpTlsExportTest, RefusesAReceiverWhoseCertificateIsNotTrusted) {
  LoopbackReceiver receiver(nullptr, cert_, key_);
  OtlpHttpExporterOptions o;
  o.endpoint = receiver.Url("/v1/traces");  // the system trust store does not know the test's certificate
  o.timeout = std::chrono::seconds(10);
  o.retry.max_attempts = 1;
  OtlpHttpExporter exporter(o);
  auto batch = testing::SampleBatch();
  Status s = exporter.Export(batch, testing::SampleResource());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(receiver.RequestCount(), 0u);
  EXPECT_EQ(exporter.stats().failed_spans, 2u);
}

}  // namespace
}  // namespace callpath
