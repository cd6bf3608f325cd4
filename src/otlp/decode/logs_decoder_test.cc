#include "otlp/decode/logs_decoder.h"

#include <gtest/gtest.h>

#include "otlp/testing/mini_json.h"
#include "otlp/testing/otlp_proto.h"
#include "otlp/testing/otlp_samples.h"
#include "text/hex.h"

namespace callpath::otlp {
namespace {

namespace pb = callpath::testing::pb;
using callpath::testing::JsonParser;
using callpath::testing::JsonValue;

std::string Hex(std::string_view s) { return text::HexString(s); }

TEST(LogsDecoderTest, DecodesEveryField) {
  pb::ExportLogsServiceRequest r;
  auto* rl = r.add_resource_logs();
  auto* kv = rl->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("payments");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("callpath.log");
  auto* lr = sl->add_log_records();
  lr->set_time_unix_nano(11);
  lr->set_observed_time_unix_nano(12);
  lr->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_ERROR);
  lr->set_severity_text("ERROR");
  auto* body = lr->mutable_body()->mutable_kvlist_value();
  auto* m = body->add_values();
  m->set_key("msg");
  m->mutable_value()->set_string_value("card declined");
  auto* a = lr->add_attributes();
  a->set_key("order.id");
  a->mutable_value()->set_int_value(77);
  lr->set_dropped_attributes_count(1);
  lr->set_flags(1);
  lr->set_trace_id(std::string(16, '\xaa'));
  lr->set_span_id(std::string(8, '\xbb'));
  lr->set_event_name("payment.failed");
  sl->add_log_records()->mutable_body()->set_string_value("plain");

  const std::string wire = r.SerializeAsString();  // the views point into it
  DecodedLogsRequest req;
  std::string error;
  ASSERT_TRUE(DecodeLogsRequest(wire, &req, &error)) << error;
  ASSERT_EQ(req.records().size(), 2u);
  const DecodedLogRecord& d = req.records()[0];
  EXPECT_EQ(d.scope->name, "callpath.log");
  EXPECT_EQ(d.scope->resource->service_name(), "payments");
  EXPECT_EQ(d.time_unix_nano, 11u);
  EXPECT_EQ(d.observed_time_unix_nano, 12u);
  EXPECT_EQ(d.severity_number, 17);
  EXPECT_EQ(d.severity_text, "ERROR");
  ASSERT_TRUE(d.has_body);
  ASSERT_EQ(d.body.kind, AnyValueKind::kKvList);
  std::vector<KeyValueView> entries;
  ASSERT_TRUE(ParseKeyValueList(d.body.bytes, &entries, nullptr));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, "msg");
  EXPECT_EQ(entries[0].value.bytes, "card declined");
  ASSERT_EQ(d.attributes.size(), 1u);
  EXPECT_EQ(d.attributes[0].value.int_value, 77);
  EXPECT_EQ(d.dropped_attributes_count, 1u);
  EXPECT_EQ(d.flags, 1u);
  EXPECT_EQ(d.trace_id, std::string(16, '\xaa'));
  EXPECT_EQ(d.span_id, std::string(8, '\xbb'));
  EXPECT_EQ(d.event_name, "payment.failed");
  EXPECT_EQ(req.records()[1].body.bytes, "plain");
  EXPECT_TRUE(req.records()[1].trace_id.empty());
}

TEST(LogsDecoderTest, RejectsBadIds) {
  pb::ExportLogsServiceRequest r;
  auto* lr = r.add_resource_logs()->add_scope_logs()->add_log_records();
  lr->set_trace_id("short");
  DecodedLogsRequest req;
  std::string error;
  EXPECT_FALSE(DecodeLogsRequest(r.SerializeAsString(), &req, &error));
  EXPECT_EQ(error, "resource_logs[0].scope_logs[0].log_records[0]: trace_id must be empty or 16 bytes, got 5");
  lr->clear_trace_id();
  lr->set_span_id("1234567");
  EXPECT_FALSE(DecodeLogsRequest(r.SerializeAsString(), &req, &error));
  EXPECT_NE(error.find("span_id"), std::string::npos);
}

TEST(LogsDecoderTest, TruncatedBodiesNeverPassWhereLibprotobufFails) {
  pb::ExportLogsServiceRequest r;
  auto* lr = r.add_resource_logs()->add_scope_logs()->add_log_records();
  lr->mutable_body()->set_string_value("hello world");
  lr->set_time_unix_nano(5);
  const std::string body = r.SerializeAsString();
  DecodedLogsRequest req;
  for (size_t len = 1; len < body.size(); ++len) {
    const std::string cut = body.substr(0, len);
    pb::ExportLogsServiceRequest ref;
    if (!ref.ParseFromString(cut)) EXPECT_FALSE(DecodeLogsRequest(cut, &req, nullptr)) << len;
  }
}

void CheckLogsSample(const std::string& name) {
  const std::string body = callpath::testing::ReadOtlpSample(name);
  ASSERT_FALSE(body.empty());
  pb::ExportLogsServiceRequest ref;
  ASSERT_TRUE(ref.ParseFromString(body)) << name;
  auto expected = JsonParser::Parse(
      callpath::testing::ReadOtlpSample(name + ".decoded.json"));
  ASSERT_TRUE(expected.has_value());
  DecodedLogsRequest req;
  std::string error;
  ASSERT_TRUE(DecodeLogsRequest(body, &req, &error)) << error;
  const JsonValue& records = (*expected)["resource_logs"][0]["scope_logs"][0]["log_records"];
  ASSERT_EQ(req.records().size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const JsonValue& e = records[i];
    const DecodedLogRecord& d = req.records()[i];
    EXPECT_EQ(d.time_unix_nano, std::stoull(e["time_unix_nano"].text));
    EXPECT_EQ(d.observed_time_unix_nano, std::stoull(e["observed_time_unix_nano"].text));
    EXPECT_EQ(d.severity_number, std::stoi(e["severity_number"].text));
    EXPECT_EQ(d.severity_text, e["severity_text"].text);
    EXPECT_EQ(d.flags, std::stoul(e["flags"].text));
    EXPECT_EQ(Hex(d.trace_id), e["trace_id"].text);
    EXPECT_EQ(Hex(d.span_id), e["span_id"].text);
    EXPECT_EQ(d.attributes.size(), e["attributes"].size());
    ASSERT_TRUE(d.has_body);
    if (e["body"].has("string_value")) {
      EXPECT_EQ(d.body.bytes, e["body"]["string_value"].text);
    } else {
      ASSERT_EQ(d.body.kind, AnyValueKind::kKvList);
      std::vector<KeyValueView> entries;
      ASSERT_TRUE(ParseKeyValueList(d.body.bytes, &entries, nullptr));
      const JsonValue& values = e["body"]["kvlist_value"]["values"];
      ASSERT_EQ(entries.size(), values.size());
      for (size_t k = 0; k < entries.size(); ++k) EXPECT_EQ(entries[k].key, values[k]["key"].text);
    }
  }
}

TEST(LogsDecoderTest, JsClientSampleMatchesItsDecodedJson) { CheckLogsSample("otlp-logs-client.pb"); }
TEST(LogsDecoderTest, JsServerSampleMatchesItsDecodedJson) { CheckLogsSample("otlp-logs-server.pb"); }

}  // namespace
}  // namespace callpath::otlp
