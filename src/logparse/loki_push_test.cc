#include "logparse/loki_push.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include "logparse/testing/samples.h"
#include "otlp/wire/proto_writer.h"

namespace callpath::logparse {
namespace {

using testing::Attr;
using testing::kSampleSpanId;
using testing::kSampleTraceId;

// A logproto.PushRequest with one stream, written field by field.
std::string PushRequestProto(std::string_view labels, std::string_view line, int64_t seconds, int32_t nanos,
                             std::string_view meta_name = {}, std::string_view meta_value = {}) {
  std::string entry;
  otlp::ProtoWriter e(&entry);
  auto ts = e.BeginNested(1, 8);
  e.Int64(1, seconds);
  e.Int32(2, nanos);
  e.EndNested(ts);
  e.String(2, line);
  if (!meta_name.empty()) {
    auto m = e.BeginNested(3, 16);
    e.String(1, meta_name);
    e.String(2, meta_value);
    e.EndNested(m);
  }
  std::string stream;
  otlp::ProtoWriter s(&stream);
  s.Bytes(2, entry);  // entries before labels: the decoder must not care
  s.String(1, labels);
  std::string req;
  otlp::ProtoWriter r(&req);
  r.Bytes(1, stream);
  std::string compressed;
  snappy::Compress(req.data(), req.size(), &compressed);
  return compressed;
}

TEST(ParseLokiLabels, ReadsQuotedValuesWithEscapes) {
  std::vector<Attribute> labels;
  ASSERT_TRUE(ParseLokiLabels(R"({app="shop", env="prod",msg="say \"hi\""})", &labels).ok());
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0].key, "app");
  EXPECT_EQ(std::get<std::string>(labels[2].value), "say \"hi\"");
  labels.clear();
  EXPECT_TRUE(ParseLokiLabels("{}", &labels).ok());
  EXPECT_TRUE(ParseLokiLabels("", &labels).ok());
}

TEST(ParseLokiLabels, RejectsMalformedLabelSets) {
  std::vector<Attribute> labels;
  for (const char* bad : {"app=\"x\"", "{app=x}", "{app=\"x\"", "{=\"x\"}", "{app \"x\"}", "{app=\"x"})
    EXPECT_FALSE(ParseLokiLabels(bad, &labels).ok()) << bad;
}

TEST(DecodeLokiPushProto, StreamLabelsServiceAndStructuredMetadata) {
  PushedLogs out;
  std::string body = PushRequestProto(R"({job="checkout", env="prod"})", "level=error msg=\"card declined\"",
                                      1705310625, 5, "trace_id", kSampleTraceId);
  ASSERT_TRUE(DecodeLokiPushProto(body, 1 << 20, &out).ok());
  ASSERT_EQ(out.streams.size(), 1u);
  const LogStream& s = out.streams[0];
  EXPECT_EQ(s.source.default_service, "checkout");
  ASSERT_EQ(s.source.resource.size(), 1u);
  EXPECT_EQ(s.source.resource[0].key, "env");
  ASSERT_EQ(s.records.size(), 1u);
  EXPECT_EQ(s.records[0].body, "card declined");
  EXPECT_EQ(s.records[0].severity_number, 17);
  EXPECT_EQ(s.records[0].time_ns, 1705310625000000005ULL);
  EXPECT_EQ(s.records[0].trace_id.ToHex(), kSampleTraceId);
  EXPECT_EQ(s.records[0].Find("trace_id"), nullptr);
}

TEST(DecodeLokiPushProto, RejectsWhatIsNotASnappyPushRequest) {
  PushedLogs out;
  EXPECT_FALSE(DecodeLokiPushProto("not snappy at all \xff\xff\xff\xff\xff", 1 << 20, &out).ok());
  std::string garbage = "\x0a\xff\xff\xff\xff\x0f";  // a length far past the end
  std::string compressed;
  snappy::Compress(garbage.data(), garbage.size(), &compressed);
  Status s = DecodeLokiPushProto(compressed, 1 << 20, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("malformed Loki PushRequest"), std::string::npos);
  std::string big = PushRequestProto("{}", std::string(4096, 'x'), 1, 0);
  EXPECT_FALSE(DecodeLokiPushProto(big, 1024, &out).ok());  // inflates past the cap
}

TEST(DecodeLokiPushJson, ValuesWithMetadataAndLineFormats) {
  std::string body = std::string(R"({"streams":[{"stream":{"service_name":"shop","host":"web-1"},"values":[)") +
                     R"(["1705310625000000000","{\"msg\":\"order placed\",\"level\":\"info\",\"order_id\":7}"],)" +
                     R"(["1705310626000000000","plain line",{"traceID":")" + kSampleTraceId + R"("}]]}]})";
  PushedLogs out;
  ASSERT_TRUE(DecodeLokiPushJson(body, &out).ok());
  ASSERT_EQ(out.record_count(), 2u);
  const LogStream& s = out.streams[0];
  EXPECT_EQ(s.source.default_service, "shop");
  EXPECT_EQ(s.source.scope_name, "loki");
  EXPECT_EQ(s.records[0].body, "order placed");
  EXPECT_EQ(std::get<int64_t>(s.records[0].Find("order_id")->value), 7);
  EXPECT_EQ(s.records[1].body, "plain line");
  EXPECT_EQ(s.records[1].trace_id.ToHex(), kSampleTraceId);
  EXPECT_EQ(s.records[1].time_ns, 1705310626000000000ULL);
}

TEST(DecodeLokiPushJson, OlderLabelsAndEntriesForm) {
  PushedLogs out;
  ASSERT_TRUE(DecodeLokiPushJson(R"({"streams":[{"labels":"{app=\"shop\"}","entries":[{"ts":"2024-01-15T09:23:45Z","line":"hi"}]}]})", &out).ok());
  EXPECT_EQ(out.streams[0].source.default_service, "shop");
  EXPECT_EQ(out.streams[0].records[0].time_ns, 1705310625000000000ULL);
}

TEST(DecodeLokiPushJson, StreamsWithoutServiceLabelsAreUnknownService) {
  PushedLogs out;
  ASSERT_TRUE(DecodeLokiPushJson(R"({"streams":[{"stream":{},"values":[["1","x"]]}]})", &out).ok());
  EXPECT_EQ(out.streams[0].source.default_service, kUnknownService);
}

TEST(DecodeLokiPushJson, RejectsMalformedBodiesWithAReason) {
  for (const char* bad : {"", "[]", "{\"streams\":1}", "{\"streams\":[1]}", "{\"streams\":[{\"stream\":{}}]}",
                          "{\"streams\":[{\"stream\":{\"a\":1},\"values\":[]}]}",
                          "{\"streams\":[{\"stream\":{},\"values\":[[\"soon\",\"x\"]]}]}",
                          "{\"streams\":[{\"stream\":{},\"values\":[[\"1\"]]}]}", "{\"streams\":[{\"stream\":{}"}) {
    PushedLogs out;
    Status s = DecodeLokiPushJson(bad, &out);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("malformed Loki push JSON"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace callpath::logparse
