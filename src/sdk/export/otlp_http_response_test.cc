#include "sdk/export/otlp_http_response.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/testing/otlp_samples.h"

namespace callpath::internal {
namespace {

namespace collector = opentelemetry::proto::collector;

TEST(ExportResponseTest, EmptyProtobufBodyIsFullSuccess) {
  EXPECT_EQ(ParseExportResponse("", false), std::nullopt);
  EXPECT_EQ(ParseExportResponse("{}", true), std::nullopt);
}

TEST(ExportResponseTest, ProtobufPartialSuccessEncodedByLibprotobuf) {
  collector::trace::v1::ExportTraceServiceResponse r;
  r.mutable_partial_success()->set_rejected_spans(3);
  r.mutable_partial_success()->set_error_message("span name too long");
  auto ps = ParseExportResponse(r.SerializeAsString(), false);
  ASSERT_TRUE(ps.has_value());
  EXPECT_EQ(ps->rejected, 3);
  EXPECT_EQ(ps->error_message, "span name too long");

  collector::logs::v1::ExportLogsServiceResponse logs;
  logs.mutable_partial_success()->set_rejected_log_records(7);
  ps = ParseExportResponse(logs.SerializeAsString(), false);
  ASSERT_TRUE(ps.has_value());
  EXPECT_EQ(ps->rejected, 7);
}

TEST(ExportResponseTest, WarningWithoutRejections) {
  collector::trace::v1::ExportTraceServiceResponse r;
  r.mutable_partial_success()->set_error_message("deprecated field");
  auto ps = ParseExportResponse(r.SerializeAsString(), false);
  ASSERT_TRUE(ps.has_value());
  EXPECT_EQ(ps->rejected, 0);
  EXPECT_EQ(ps->error_message, "deprecated field");
}

TEST(ExportResponseTest, SampleResponseFiles) {
  // Captured from a real exchange (testdata/otlp).
  for (const char* name : {"otlp-traces-response-partial-success.pb", "otlp-traces-response-full-success.pb"}) {
    const std::string body = callpath::testing::ReadOtlpSample(name);
    collector::trace::v1::ExportTraceServiceResponse expected;
    ASSERT_TRUE(expected.ParseFromString(body));
    auto ps = ParseExportResponse(body, false);
    if (!expected.has_partial_success()) {
      EXPECT_EQ(ps, std::nullopt) << name;
    } else {
      ASSERT_TRUE(ps.has_value()) << name;
      EXPECT_EQ(ps->rejected, expected.partial_success().rejected_spans());
      EXPECT_EQ(ps->error_message, expected.partial_success().error_message());
    }
  }
}

TEST(ExportResponseTest, JsonPartialSuccessAsStringOrNumber) {
  auto ps = ParseExportResponse(R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad \"x\""}})", true);
  ASSERT_TRUE(ps.has_value());
  EXPECT_EQ(ps->rejected, 2);
  EXPECT_EQ(ps->error_message, "bad \"x\"");
  ps = ParseExportResponse(R"({ "partialSuccess" : { "rejectedLogRecords" : 5 } })", true);
  ASSERT_TRUE(ps.has_value());
  EXPECT_EQ(ps->rejected, 5);
}

TEST(ExportResponseTest, MalformedBodiesFindNothing) {
  EXPECT_EQ(ParseExportResponse("\x0a\x05\x08", false), std::nullopt);       // truncated
  EXPECT_EQ(ParseExportResponse("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", false), std::nullopt);
  EXPECT_EQ(ParseExportResponse("\x0b", false), std::nullopt);               // group start
  EXPECT_EQ(ParseExportResponse(R"({"partialSuccess":)", true), std::nullopt);
  EXPECT_EQ(ParseExportResponse(R"({"partialSuccess":{"rejectedSpans":"x"}})", true), std::nullopt);
  EXPECT_EQ(ParseExportResponse("<html>bad gateway</html>", true), std::nullopt);
}

TEST(ErrorBodyTest, GoogleRpcStatusMessage) {
  // google.rpc.Status{code = 3, message = "invalid span"} written by hand:
  // field 1 varint 3, field 2 length 12.
  std::string status = std::string("\x08\x03\x12\x0c", 4) + "invalid span";
  EXPECT_EQ(DescribeErrorBody(status, false), "invalid span");
  EXPECT_EQ(DescribeErrorBody(R"({"code":3,"message":"invalid span"})", true), "invalid span");
  EXPECT_EQ(DescribeErrorBody("plain\ntext", true), "plain text");
  EXPECT_EQ(DescribeErrorBody(std::string(1000, 'x'), true).size(), 200u);
  EXPECT_EQ(DescribeErrorBody("", false), "");
}

}  // namespace
}  // namespace callpath::internal
