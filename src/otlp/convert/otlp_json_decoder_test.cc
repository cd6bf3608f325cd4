#include "otlp/convert/otlp_json_decoder.h"

#include <gtest/gtest.h>


#include "otlp/testing/otlp_samples.h"

namespace callpath::daemon {
namespace {

TEST(OtlpJsonDecoder, DecodesTheJsTraceSample) {
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpJsonTraces(testing::ReadOtlpSample("otlp-traces-client.json"), &b).ok());
  EXPECT_EQ(b.rejected.count(), 0u);
  ASSERT_FALSE(b.spans.empty());
  const store::StoredSpan& s = b.spans.front();
  EXPECT_EQ(s.trace_id.ToHex(), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(s.span_id.ToHex(), "c0ec7d8269793478");
  EXPECT_EQ(s.parent_span_id.ToHex(), "9476159695b7b95a");
  EXPECT_EQ(s.service, "node-probe-client");
  EXPECT_EQ(s.operation, "GET");
  EXPECT_EQ(s.kind, store::SpanKind::kClient);
  EXPECT_EQ(s.start_ns, 1795732692829000000ull);  // a decimal string
  EXPECT_EQ(s.flags, 257u);
  EXPECT_EQ(s.trace_state, "congo=t61rcWkgMzE");
  EXPECT_EQ(s.scope_name, "@opentelemetry/instrumentation-http");
  bool saw_port = false;
  for (const auto& kv : s.attributes) {
    if (kv.key == "server.port") {  // intValue as a JSON number
      saw_port = true;
      EXPECT_EQ(kv.value, store::Value::Int(18080));
    }
  }
  EXPECT_TRUE(saw_port);
}

TEST(OtlpJsonDecoder, DecodesTheJsLogSampleWithAStructuredBody) {
  LogBatch b;
  ASSERT_TRUE(DecodeOtlpJsonLogs(testing::ReadOtlpSample("otlp-logs-client.json"), &b).ok());
  ASSERT_EQ(b.logs.size(), 1u);
  const store::StoredLog& l = b.logs[0];
  EXPECT_EQ(l.severity_number, 13);
  EXPECT_EQ(l.severity_text, "WARN");
  EXPECT_EQ(l.body.type, store::Value::Type::kJson);
  EXPECT_EQ(l.body.text, R"({"msg":"client done","n":3})");
  EXPECT_EQ(l.trace_id.ToHex(), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(l.service, "node-probe-client");
}

TEST(OtlpJsonDecoder, IntegersAsStringsOrNumbersAndUpperCaseHexIds) {
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpJsonTraces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{
      "traceId":"0102030405060708090A0B0C0D0E0F10","spanId":"A1A2A3A4A5A6A7A8",
      "startTimeUnixNano":1000,"endTimeUnixNano":"18446744073709551615",
      "attributes":[{"key":"i","value":{"intValue":"-9223372036854775808"}},
                    {"key":"d","value":{"doubleValue":1.5}},
                    {"key":"b","value":{"bytesValue":"AQI="}},
                    {"key":"a","value":{"arrayValue":{"values":[{"stringValue":"x\"y"},{"boolValue":true}]}}}],
      "someFutureField":{"nested":[1,2,3]}}]}]}]})", &b).ok());
  ASSERT_EQ(b.spans.size(), 1u);
  const auto& s = b.spans[0];
  EXPECT_EQ(s.trace_id.ToHex(), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(s.duration_ns, 18446744073709551615ull - 1000);
  ASSERT_EQ(s.attributes.size(), 4u);
  EXPECT_EQ(s.attributes[0].value, store::Value::Int(INT64_MIN));
  EXPECT_EQ(s.attributes[1].value, store::Value::Double(1.5));
  EXPECT_EQ(s.attributes[2].value, store::Value::Bytes(std::string("\x01\x02", 2)));
  EXPECT_EQ(s.attributes[3].value, store::Value::Json(R"(["x\"y",true])"));
  EXPECT_EQ(s.service, "unknown_service");
}

TEST(OtlpJsonDecoder, InvalidItemsAreRejectedOneByOne) {
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpJsonTraces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708"},
      {"traceId":"0102","spanId":"0102030405060708"},
      {"traceId":"00000000000000000000000000000000","spanId":"0102030405060708"},
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"zz02030405060708"},
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060709","startTimeUnixNano":"9","endTimeUnixNano":"3"}
  ]}]}]})", &b).ok());
  EXPECT_EQ(b.spans.size(), 1u);
  EXPECT_EQ(b.rejected.count(), 4u);
  EXPECT_NE(b.rejected.Message("spans").find("4 spans rejected"), std::string::npos);
}

TEST(OtlpJsonDecoder, StructuralErrorsFailTheWholeRequest) {
  for (const char* body : {
           "", "{", "[]", "null", R"({"resourceSpans":{}})", R"({"resourceSpans":[1]})",
           R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]})",
           R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SERVER"}]}]}]})",
           R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"2"}]}]}]})",
           R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"status":{"code":"STATUS_CODE_FAILED"}}]}]}]})",
           R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]})",
           R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"99999999999999999999"}]}]}]})",
           R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"bytesValue":"%%"}}]}]}]}]})",
       }) {
    SpanBatch b;
    Status s = DecodeOtlpJsonTraces(body, &b);
    EXPECT_FALSE(s.ok()) << body;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << body;
    EXPECT_FALSE(s.message().empty());
  }
}

// Protobuf's JSON mapping lets enums be written by name; the Collector
// accepts that, so callpathd does too.
TEST(OtlpJsonDecoder, EnumsByNameAsWellAsByNumber) {
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpJsonTraces(R"({"resourceSpans":[{"scopeSpans":[{"spans":[
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708",
       "kind":"SPAN_KIND_CONSUMER","status":{"code":"STATUS_CODE_ERROR"}},
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060709",
       "kind":3,"status":{"code":1}}]}]}]})",
                                   &b)
                  .ok());
  ASSERT_EQ(b.spans.size(), 2u);
  EXPECT_EQ(b.spans[0].kind, store::SpanKind::kConsumer);
  EXPECT_EQ(b.spans[0].status, store::SpanStatus::kError);
  EXPECT_EQ(b.spans[1].kind, store::SpanKind::kClient);
  EXPECT_EQ(b.spans[1].status, store::SpanStatus::kOk);
  LogBatch l;
  ASSERT_TRUE(DecodeOtlpJsonLogs(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
      {"severityNumber":"SEVERITY_NUMBER_WARN2"},{"severityNumber":17}]}]}]})",
                                 &l)
                  .ok());
  ASSERT_EQ(l.logs.size(), 2u);
  EXPECT_EQ(l.logs[0].severity_number, 14);
  EXPECT_EQ(l.logs[1].severity_number, 17);
}

TEST(OtlpJsonDecoder, AbsentAndNullFieldsAreDefaults) {
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpJsonTraces("{}", &b).ok());
  EXPECT_TRUE(b.spans.empty());
  ASSERT_TRUE(DecodeOtlpJsonTraces(R"({"resourceSpans":null})", &b).ok());
  ASSERT_TRUE(DecodeOtlpJsonTraces(R"({"resourceSpans":[{"resource":null,"scopeSpans":[{"scope":null,"spans":[
      {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","attributes":null,"status":null}]}]}]})",
                                   &b).ok());
  EXPECT_EQ(b.spans.size(), 1u);
  LogBatch l;
  ASSERT_TRUE(DecodeOtlpJsonLogs(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]})", &l).ok());
  EXPECT_EQ(l.logs.size(), 1u);
}

TEST(OtlpJsonDecoder, DeepNestingIsRefusedNotRecursedWithoutBound) {
  std::string v = R"({"stringValue":"x"})";
  for (int i = 0; i < 100; ++i) v = R"({"arrayValue":{"values":[)" + v + "]}}";
  std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":)" + v + "}]}]}]}]}";
  SpanBatch b;
  EXPECT_FALSE(DecodeOtlpJsonTraces(body, &b).ok());
}

}  // namespace
}  // namespace callpath::daemon
