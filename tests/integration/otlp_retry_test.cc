// The OTLP/HTTP retry rules end to end: which answers are retried, how often,
// after how long, and what is counted.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "callpath/exporters.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "sdk/export/http_transport.h"
#include "testing/loopback_receiver.h"
#include "testing/sample_spans.h"

namespace callpath {
namespace {

using testing::LoopbackReceiver;
using testing::ReceivedRequest;
using std::chrono::milliseconds;
using std::chrono::seconds;

OtlpHttpExporterOptions OptionsFor(const LoopbackReceiver& receiver) {
  OtlpHttpExporterOptions o;
  o.endpoint = receiver.Url("/v1/traces");
  o.timeout = seconds(60);
  o.retry.initial_backoff = milliseconds(10);  // keep the suite quick
  return o;
}

// Answers `status` (with optional Retry-After) to the first `failures`
// requests and 200 afterwards.
LoopbackReceiver::Responder FailFirst(size_t failures, int status, std::string retry_after = "") {
  return [=](size_t index, const ReceivedRequest&, httplib::Response& res) {
    if (index >= failures) return;
    res.status = status;
    if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
    res.set_content("{\"code\":14,\"message\":\"busy\"}", "application/json");
  };
}

TEST(OtlpRetryTest, RetryAfterIsHonouredAndNothingIsLost) {
  LoopbackReceiver receiver(FailFirst(1, 503, "1"));
  OtlpHttpExporter exporter(OptionsFor(receiver));
  Status s = exporter.Export(testing::SampleBatch(), testing::SampleResource());
  ASSERT_TRUE(s.ok()) << s.ToString();

  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].body, requests[0].body);  // the same batch, byte for byte
  // The client waited at least the second the server asked for (a lower
  // bound only: a busy machine can make it longer, never shorter).
  EXPECT_GE(requests[1].received_at - requests[0].received_at, milliseconds(950));
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(requests[1].body));
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 2);

  SpanExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.retries, 1u);
  EXPECT_EQ(stats.exported_spans, 2u);
  EXPECT_EQ(stats.failed_spans, 0u);
}

TEST(OtlpRetryTest, BadRequestIsDroppedWithoutRetry) {
  LoopbackReceiver receiver(FailFirst(100, 400));
  OtlpHttpExporter exporter(OptionsFor(receiver));
  Status s = exporter.Export(testing::SampleBatch(), testing::SampleResource());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("400"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("busy"), std::string::npos) << s.ToString();  // server's reason
  EXPECT_EQ(receiver.RequestCount(), 1u);
  SpanExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.retries, 0u);
  EXPECT_EQ(stats.failed_spans, 2u);
  EXPECT_EQ(stats.failed_batches, 1u);
  EXPECT_EQ(stats.exported_spans, 0u);
}

TEST(OtlpRetryTest, OtherServerErrorsAreNotRetried) {
  for (int status : {401, 404, 413, 500, 501}) {
    LoopbackReceiver receiver(FailFirst(100, status));
    OtlpHttpExporter exporter(OptionsFor(receiver));
    EXPECT_FALSE(exporter.Export(testing::SampleBatch(), testing::SampleResource()).ok());
    EXPECT_EQ(receiver.RequestCount(), 1u) << status;
  }
}

TEST(OtlpRetryTest, RetryableStatusesUseBackoffWithoutRetryAfter) {
  for (int status : {429, 502, 503, 504}) {
    LoopbackReceiver receiver(FailFirst(2, status));
    OtlpHttpExporter exporter(OptionsFor(receiver));
    Status s = exporter.Export(testing::SampleBatch(), testing::SampleResource());
    EXPECT_TRUE(s.ok()) << status << " " << s.ToString();
    EXPECT_EQ(receiver.RequestCount(), 3u) << status;
    EXPECT_EQ(exporter.stats().retries, 2u) << status;
  }
}

TEST(OtlpRetryTest, GivesUpAfterMaxAttempts) {
  LoopbackReceiver receiver(FailFirst(100, 503));
  OtlpHttpExporterOptions o = OptionsFor(receiver);
  o.retry.max_attempts = 3;
  OtlpHttpExporter exporter(o);
  Status s = exporter.Export(testing::SampleBatch(), testing::SampleResource());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(receiver.RequestCount(), 3u);
  SpanExporterStats stats = exporter.stats();
  EXPECT_EQ(stats.retries, 2u);
  EXPECT_EQ(stats.failed_spans, 2u);
}

TEST(OtlpRetryTest, RetryAfterBeyondTheTimeoutEndsTheExportAtOnce) {
  LoopbackReceiver receiver(FailFirst(100, 429, "3600"));
  OtlpHttpExporterOptions o = OptionsFor(receiver);
  o.timeout = seconds(30);
  OtlpHttpExporter exporter(o);
  Status s = exporter.Export(testing::SampleBatch(), testing::SampleResource());
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_EQ(receiver.RequestCount(), 1u);
}

TEST(OtlpRetryTest, ConnectionFailuresAreRetried) {
  // A bound socket that never listens: connections to its port are refused,
  // and no other process can take the port while we hold it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int closed_port = ntohs(addr.sin_port);
  internal::HttpTransportOptions o;
  o.timeout = seconds(60);
  o.retry.max_attempts = 3;
  o.retry.initial_backoff = milliseconds(5);
  internal::HttpTransport transport(o);
  internal::HttpResponse response;
  Status s = transport.Post("http://127.0.0.1:" + std::to_string(closed_port) + "/v1/traces", "x",
                            "application/x-protobuf", &response);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(response.attempts, 3);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(transport.stats().requests, 3u);
  EXPECT_EQ(transport.stats().retries, 2u);
  EXPECT_EQ(transport.stats().failed_posts, 1u);
  ::close(fd);
}

TEST(OtlpRetryTest, ShutdownInterruptsTheWaitBeforeARetry) {
  LoopbackReceiver receiver(FailFirst(100, 503, "600"));
  OtlpHttpExporterOptions o = OptionsFor(receiver);
  o.timeout = milliseconds(0);  // no bound: only Shutdown can end the wait
  OtlpHttpExporter exporter(o);
  auto result = std::async(std::launch::async, [&] {
    return exporter.Export(testing::SampleBatch(), testing::SampleResource());
  });
  ASSERT_TRUE(receiver.WaitForRequests(1));
  ASSERT_TRUE(exporter.Shutdown(seconds(1)).ok());
  Status s = result.get();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(receiver.RequestCount(), 1u);
  EXPECT_EQ(exporter.stats().failed_spans, 2u);
}

}  // namespace
}  // namespace callpath
