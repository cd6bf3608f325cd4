#include "otlp/convert/otlp_proto_decoder.h"

#include <gtest/gtest.h>


#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include "otlp/testing/otlp_samples.h"

namespace callpath::daemon {
namespace {

namespace pb = opentelemetry::proto;

pb::collector::trace::v1::ExportTraceServiceRequest ThreeSpans() {
  pb::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  auto* kv = rs->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("svc");
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("scope");
  for (int i = 0; i < 3; ++i) {
    auto* sp = ss->add_spans();
    sp->set_trace_id(std::string(15, '\x01') + static_cast<char>(i + 1));
    sp->set_span_id(std::string(7, '\x02') + static_cast<char>(i + 1));
    sp->set_name("op" + std::to_string(i));
    sp->set_start_time_unix_nano(100);
    sp->set_end_time_unix_nano(250);
    auto* a = sp->add_attributes();
    a->set_key("list");
    auto* arr = a->mutable_value()->mutable_array_value();
    arr->add_values()->set_int_value(7);
    arr->add_values()->mutable_kvlist_value()->add_values()->set_key("k");
  }
  return req;
}

TEST(OtlpProtoDecoder, TheJsSampleMatchesLibprotobuf) {
  std::string body = testing::ReadOtlpSample("otlp-traces-server.pb");
  pb::collector::trace::v1::ExportTraceServiceRequest ref;
  ASSERT_TRUE(ref.ParseFromString(body));
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpProtoTraces(body, &b).ok());
  EXPECT_EQ(b.rejected.count(), 0u);
  size_t i = 0;
  for (const auto& rs : ref.resource_spans())
    for (const auto& ss : rs.scope_spans())
      for (const auto& sp : ss.spans()) {
        ASSERT_LT(i, b.spans.size());
        const store::StoredSpan& got = b.spans[i++];
        EXPECT_EQ(got.trace_id.AsBytes(), sp.trace_id());
        EXPECT_EQ(got.span_id.AsBytes(), sp.span_id());
        EXPECT_EQ(got.operation, sp.name());
        EXPECT_EQ(got.start_ns, sp.start_time_unix_nano());
        EXPECT_EQ(got.duration_ns, sp.end_time_unix_nano() - sp.start_time_unix_nano());
        EXPECT_EQ(static_cast<int>(got.kind), static_cast<int>(sp.kind()));
        EXPECT_EQ(got.attributes.size(), static_cast<size_t>(sp.attributes_size()));
        EXPECT_EQ(got.events.size(), static_cast<size_t>(sp.events_size()));
        EXPECT_EQ(got.links.size(), static_cast<size_t>(sp.links_size()));
        EXPECT_EQ(got.scope_name, ss.scope().name());
      }
  EXPECT_EQ(i, b.spans.size());
}

TEST(OtlpProtoDecoder, NestedValuesBecomeJson) {
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpProtoTraces(ThreeSpans().SerializeAsString(), &b).ok());
  ASSERT_EQ(b.spans.size(), 3u);
  EXPECT_EQ(b.spans[0].service, "svc");
  EXPECT_EQ(b.spans[0].attributes[0].value, store::Value::Json(R"([7,{"k":null}])"));
}

TEST(OtlpProtoDecoder, BadIdLengthsAreSalvagedAsPartialSuccess) {
  auto req = ThreeSpans();
  req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(1)->set_trace_id("short");
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpProtoTraces(req.SerializeAsString(), &b).ok());
  ASSERT_EQ(b.spans.size(), 2u);
  EXPECT_EQ(b.spans[0].operation, "op0");
  EXPECT_EQ(b.spans[1].operation, "op2");
  EXPECT_EQ(b.spans[1].service, "svc");  // the envelope survives the rebuild
  EXPECT_EQ(b.rejected.count(), 1u);
  EXPECT_NE(b.rejected.Message("spans").find("trace_id"), std::string::npos);
}

TEST(OtlpProtoDecoder, SemanticErrorsRejectOnlyTheirSpan) {
  auto req = ThreeSpans();
  auto* spans = req.mutable_resource_spans(0)->mutable_scope_spans(0);
  spans->mutable_spans(0)->set_end_time_unix_nano(50);                // ends before it starts
  spans->mutable_spans(1)->set_span_id(std::string(8, '\0'));         // all-zero id
  spans->mutable_spans(2)->set_name(std::string("bad \xc3\x28", 6));  // not UTF-8
  std::string body;
  ASSERT_TRUE(req.SerializePartialToString(&body));
  SpanBatch b;
  ASSERT_TRUE(DecodeOtlpProtoTraces(body, &b).ok());
  EXPECT_TRUE(b.spans.empty());
  EXPECT_EQ(b.rejected.count(), 3u);
}

TEST(OtlpProtoDecoder, MalformedProtobufIsAnError) {
  std::string body = ThreeSpans().SerializeAsString();
  for (size_t cut : {size_t{1}, body.size() / 2, body.size() - 1}) {
    SpanBatch b;
    EXPECT_EQ(DecodeOtlpProtoTraces(body.substr(0, cut), &b).code(), StatusCode::kInvalidArgument) << cut;
  }
  LogBatch l;
  EXPECT_FALSE(DecodeOtlpProtoLogs(std::string("\x0a\x05\x12\x03", 4), &l).ok());
}

TEST(OtlpProtoDecoder, LogsKeepTraceContextAndRejectBadIds) {
  pb::collector::logs::v1::ExportLogsServiceRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  auto* ok = sl->add_log_records();
  ok->set_trace_id(std::string(16, '\x05'));
  ok->set_span_id(std::string(8, '\x06'));
  ok->set_severity_number(pb::logs::v1::SEVERITY_NUMBER_ERROR);
  ok->mutable_body()->set_string_value("boom");
  ok->set_event_name("checkout.failed");
  sl->add_log_records()->set_span_id("bad");
  LogBatch b;
  ASSERT_TRUE(DecodeOtlpProtoLogs(req.SerializeAsString(), &b).ok());
  ASSERT_EQ(b.logs.size(), 1u);
  EXPECT_EQ(b.rejected.count(), 1u);
  EXPECT_EQ(b.logs[0].trace_id.AsBytes(), std::string(16, '\x05'));
  EXPECT_EQ(b.logs[0].severity_number, 17);
  EXPECT_EQ(b.logs[0].body, store::Value::String("boom"));
  ASSERT_EQ(b.logs[0].attributes.size(), 1u);
  EXPECT_EQ(b.logs[0].attributes[0].key, "event.name");
}

}  // namespace
}  // namespace callpath::daemon
