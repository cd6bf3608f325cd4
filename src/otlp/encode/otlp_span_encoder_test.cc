#include "otlp/encode/otlp_span_encoder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "otlp/decode/trace_decoder.h"
#include "otlp/encode/otlp_encoder_test_util.h"
#include "otlp/testing/otlp_proto.h"

namespace callpath::internal {
namespace {

namespace pb = callpath::testing::pb;
using callpath::testing::FilledSpanId;
using callpath::testing::FilledTraceId;
using callpath::testing::HttpScope;
using callpath::testing::OrderScope;
using callpath::testing::PlainSpan;
using callpath::testing::RichSpan;
using callpath::testing::TestResource;

pb::ExportTraceServiceRequest Parse(const std::string& body) {
  pb::ExportTraceServiceRequest req;
  EXPECT_TRUE(req.ParseFromString(body));
  return req;
}

TEST(OtlpSpanEncoderTest, EveryFieldSurvivesLibprotobuf) {
  const std::vector<SpanData> batch = {RichSpan()};
  const std::string body = EncodeTraceRequestProto(batch, TestResource());
  const pb::ExportTraceServiceRequest req = Parse(body);

  ASSERT_EQ(req.resource_spans_size(), 1);
  const auto& rs = req.resource_spans(0);
  ASSERT_EQ(rs.resource().attributes_size(), 2);
  EXPECT_EQ(rs.resource().attributes(0).key(), "service.name");
  EXPECT_EQ(rs.resource().attributes(0).value().string_value(), "checkout");
  EXPECT_EQ(rs.resource().attributes(1).value().int_value(), 7);
  ASSERT_EQ(rs.scope_spans_size(), 1);
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "shop.order");
  EXPECT_EQ(rs.scope_spans(0).scope().version(), "1.2");
  ASSERT_EQ(rs.scope_spans(0).spans_size(), 1);

  const pb::Span& s = rs.scope_spans(0).spans(0);
  EXPECT_EQ(s.trace_id(), std::string(16, '\xab'));
  EXPECT_EQ(s.span_id(), std::string(8, '\x01'));
  EXPECT_EQ(s.parent_span_id(), std::string(8, '\x02'));
  EXPECT_EQ(s.trace_state(), "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  EXPECT_EQ(s.flags(), 0x303u) << "W3C flags 0x03, remoteness known, parent remote";
  EXPECT_EQ(s.name(), "GET /orders/{id}");
  EXPECT_EQ(s.kind(), pb::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(s.start_time_unix_nano(), 1795732690475000000ull);
  EXPECT_EQ(s.end_time_unix_nano(), 1795732690516276712ull);
  EXPECT_EQ(s.dropped_attributes_count(), 3u);
  EXPECT_EQ(s.dropped_events_count(), 4u);
  EXPECT_EQ(s.dropped_links_count(), 5u);
  EXPECT_EQ(s.status().code(), pb::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(s.status().message(), "upstream unavailable");

  ASSERT_EQ(s.attributes_size(), 11);
  EXPECT_EQ(s.attributes(0).value().string_value(), "GET");
  EXPECT_EQ(s.attributes(1).value().int_value(), 503);
  EXPECT_EQ(s.attributes(2).value().int_value(), -7);
  EXPECT_EQ(s.attributes(3).value().double_value(), 0.25);
  EXPECT_TRUE(s.attributes(4).value().has_bool_value());
  EXPECT_FALSE(s.attributes(4).value().bool_value());
  EXPECT_TRUE(s.attributes(5).value().has_string_value()) << "empty string is still a string";
  const auto& bools = s.attributes(6).value().array_value();
  ASSERT_EQ(bools.values_size(), 2);
  EXPECT_TRUE(bools.values(0).bool_value());
  EXPECT_TRUE(bools.values(1).has_bool_value());
  const auto& ints = s.attributes(7).value().array_value();
  ASSERT_EQ(ints.values_size(), 3);
  EXPECT_EQ(ints.values(1).int_value(), -2);
  EXPECT_EQ(ints.values(2).int_value(), 300);
  const auto& doubles = s.attributes(8).value().array_value();
  ASSERT_EQ(doubles.values_size(), 2);
  EXPECT_EQ(doubles.values(0).double_value(), 1.5);
  EXPECT_TRUE(std::signbit(doubles.values(1).double_value()));
  const auto& strings = s.attributes(9).value().array_value();
  ASSERT_EQ(strings.values_size(), 3);
  EXPECT_EQ(strings.values(2).string_value(), "c");
  EXPECT_TRUE(strings.values(1).has_string_value());
  EXPECT_TRUE(s.attributes(10).value().has_array_value());
  EXPECT_EQ(s.attributes(10).value().array_value().values_size(), 0);

  ASSERT_EQ(s.events_size(), 2);
  EXPECT_EQ(s.events(0).name(), "exception");
  EXPECT_EQ(s.events(0).time_unix_nano(), 1795732690500000000ull);
  EXPECT_EQ(s.events(0).attributes(0).value().string_value(), "boom");
  EXPECT_EQ(s.events(0).dropped_attributes_count(), 1u);
  EXPECT_EQ(s.events(1).name(), "retry");

  ASSERT_EQ(s.links_size(), 1);
  EXPECT_EQ(s.links(0).trace_id(), std::string(16, '\x09'));
  EXPECT_EQ(s.links(0).span_id(), std::string(8, '\x08'));
  EXPECT_EQ(s.links(0).trace_state(), "k=v");
  EXPECT_EQ(s.links(0).flags(), 0x301u);
  EXPECT_EQ(s.links(0).attributes(0).key(), "link.kind");
  EXPECT_EQ(s.links(0).dropped_attributes_count(), 2u);
}

// Our bytes are exactly libprotobuf's canonical serialization of the same
// message: field order, default skipping and minimal lengths all agree.
TEST(OtlpSpanEncoderTest, BytesAreCanonical) {
  std::vector<SpanData> batch = {RichSpan(), PlainSpan(3, &HttpScope()), PlainSpan(4, nullptr)};
  for (int i = 0; i < 50; ++i) {
    SpanData s = RichSpan();
    s.name = std::string(static_cast<size_t>(i * 37), 'n');  // span sizes across slot widths
    s.attributes.push_back({"big", std::string(static_cast<size_t>(i * 301), 'v')});
    batch.push_back(s);
  }
  const std::string body = EncodeTraceRequestProto(batch, TestResource());
  EXPECT_EQ(Parse(body).SerializeAsString(), body);
}

TEST(OtlpSpanEncoderTest, GroupsSpansByScopeInOrderOfFirstAppearance) {
  const std::vector<SpanData> batch = {PlainSpan(1, &HttpScope()), PlainSpan(2, &OrderScope()),
                                       PlainSpan(3, nullptr), PlainSpan(4, &HttpScope()),
                                       PlainSpan(5, nullptr)};
  const auto req = Parse(EncodeTraceRequestProto(batch, TestResource()));
  const auto& rs = req.resource_spans(0);
  ASSERT_EQ(rs.scope_spans_size(), 3);
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "callpath.http");
  ASSERT_EQ(rs.scope_spans(0).spans_size(), 2);
  EXPECT_EQ(rs.scope_spans(0).spans(0).span_id(), std::string(8, '\x01'));
  EXPECT_EQ(rs.scope_spans(0).spans(1).span_id(), std::string(8, '\x04'));
  EXPECT_EQ(rs.scope_spans(1).scope().name(), "shop.order");
  EXPECT_FALSE(rs.scope_spans(2).has_scope());
  EXPECT_EQ(rs.scope_spans(2).spans_size(), 2);
}

TEST(OtlpSpanEncoderTest, ManyScopes) {
  std::vector<InstrumentationScope> scopes(20);
  std::vector<SpanData> batch;
  for (size_t i = 0; i < scopes.size(); ++i) {
    scopes[i].name = "scope" + std::to_string(i);
    batch.push_back(PlainSpan(static_cast<uint8_t>(i + 1), &scopes[i]));
    batch.push_back(PlainSpan(static_cast<uint8_t>(i + 100), &scopes[i]));
  }
  const auto req = Parse(EncodeTraceRequestProto(batch, TestResource()));
  ASSERT_EQ(req.resource_spans(0).scope_spans_size(), 20);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(req.resource_spans(0).scope_spans(i).scope().name(), "scope" + std::to_string(i));
    EXPECT_EQ(req.resource_spans(0).scope_spans(i).spans_size(), 2);
  }
}

TEST(OtlpSpanEncoderTest, RootSpanOmitsDefaults) {
  const std::vector<SpanData> batch = {PlainSpan(1, &HttpScope())};
  const auto req = Parse(EncodeTraceRequestProto(batch, Resource{}));
  const pb::Span& s = req.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_TRUE(s.parent_span_id().empty());
  EXPECT_TRUE(s.trace_state().empty());
  EXPECT_FALSE(s.has_status());
  EXPECT_EQ(s.flags(), 0x101u);
  EXPECT_EQ(s.kind(), pb::Span::SPAN_KIND_INTERNAL);
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).scope().version(), "");
  EXPECT_TRUE(req.resource_spans(0).has_resource());
}

TEST(OtlpSpanEncoderTest, EmptyBatchIsOneEmptyResourceSpans) {
  const auto req = Parse(EncodeTraceRequestProto({}, TestResource()));
  ASSERT_EQ(req.resource_spans_size(), 1);
  EXPECT_EQ(req.resource_spans(0).scope_spans_size(), 0);
}

TEST(OtlpSpanEncoderTest, AppendKeepsExistingBytes) {
  std::string buf = "HEAD";
  const std::vector<SpanData> batch = {PlainSpan(1, &HttpScope())};
  AppendTraceRequestProto(batch, TestResource(), &buf);
  EXPECT_EQ(buf.substr(0, 4), "HEAD");
  EXPECT_EQ(buf.substr(4), EncodeTraceRequestProto(batch, TestResource()));
}

// The collector side reads what the SDK side writes.
TEST(OtlpSpanEncoderTest, RoundTripsThroughOurDecoder) {
  const std::vector<SpanData> batch = {RichSpan(), PlainSpan(9, nullptr)};
  const std::string body = EncodeTraceRequestProto(batch, TestResource());
  otlp::DecodedTraceRequest req;
  std::string error;
  ASSERT_TRUE(otlp::DecodeTraceRequest(body, &req, &error)) << error;
  ASSERT_EQ(req.spans().size(), 2u);
  const otlp::DecodedSpan& s = req.spans()[0];
  EXPECT_EQ(s.trace_id, FilledTraceId(0xab).AsBytes());
  EXPECT_EQ(s.parent_span_id, FilledSpanId(0x02).AsBytes());
  EXPECT_EQ(s.name, "GET /orders/{id}");
  EXPECT_EQ(s.attributes.size(), 11u);
  EXPECT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.status_code, 2);
  EXPECT_EQ(s.scope->resource->service_name(), "checkout");
  EXPECT_EQ(req.spans()[1].scope->name, "");
}

}  // namespace
}  // namespace callpath::internal

namespace callpath::internal {
namespace {

// libprotobuf refuses a proto3 string field holding invalid UTF-8, so the
// encoder repairs such text rather than lose the whole batch.
TEST(OtlpSpanEncoderTest, InvalidUtf8IsReplacedSoReceiversAcceptTheBatch) {
  SpanData s = callpath::testing::PlainSpan(1, &callpath::testing::HttpScope());
  s.name = "bad\xff name";
  s.attributes = {{"k\xc3", std::string("v\xed\xa0\x80")}};
  s.status_code = SpanStatusCode::kError;
  s.status_message = "\x80";
  const std::vector<SpanData> batch = {s};
  callpath::testing::pb::ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(EncodeTraceRequestProto(batch, Resource{})));
  const auto& span = req.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(span.name(), "bad\xEF\xBF\xBD name");
  EXPECT_EQ(span.attributes(0).key(), "k\xEF\xBF\xBD");
  EXPECT_EQ(span.attributes(0).value().string_value(), "v\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(span.status().message(), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace callpath::internal
