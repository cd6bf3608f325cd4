#include "otlp/decode/trace_decoder.h"

#include <gtest/gtest.h>

#include <random>

#include "otlp/testing/mini_json.h"
#include "otlp/testing/otlp_proto.h"
#include "otlp/testing/otlp_samples.h"
#include "otlp/wire/proto_writer.h"
#include "text/hex.h"

namespace callpath::otlp {
namespace {

namespace pb = callpath::testing::pb;
using callpath::testing::JsonParser;
using callpath::testing::JsonValue;

std::string Hex(std::string_view s) { return text::HexString(s); }

pb::Span* AddSpan(pb::ScopeSpans* ss, char fill) {
  pb::Span* s = ss->add_spans();
  s->set_trace_id(std::string(16, fill));
  s->set_span_id(std::string(8, fill));
  return s;
}

pb::ExportTraceServiceRequest RichRequest() {
  pb::ExportTraceServiceRequest req;
  pb::ResourceSpans* rs = req.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("checkout");
  rs->mutable_resource()->set_dropped_attributes_count(2);
  rs->set_schema_url("https://opentelemetry.io/schemas/1.26.0");

  pb::ScopeSpans* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("shop.order");
  ss->mutable_scope()->set_version("1.2");
  auto* sattr = ss->mutable_scope()->add_attributes();
  sattr->set_key("scope.k");
  sattr->mutable_value()->set_bool_value(true);
  ss->set_schema_url("scope-schema");

  pb::Span* s = AddSpan(ss, '\x01');
  s->set_parent_span_id(std::string(8, '\x02'));
  s->set_trace_state("congo=t61rcWkgMzE");
  s->set_name("GET /orders");
  s->set_kind(pb::Span::SPAN_KIND_SERVER);
  s->set_start_time_unix_nano(1795732690475000000ull);
  s->set_end_time_unix_nano(1795732690516276712ull);
  s->set_flags(0x301);
  auto* a1 = s->add_attributes();
  a1->set_key("http.response.status_code");
  a1->mutable_value()->set_int_value(-200);
  auto* a2 = s->add_attributes();
  a2->set_key("ratio");
  a2->mutable_value()->set_double_value(0.25);
  auto* a3 = s->add_attributes();
  a3->set_key("tags");
  a3->mutable_value()->mutable_array_value()->add_values()->set_string_value("a");
  a3->mutable_value()->mutable_array_value()->add_values()->set_int_value(5);
  auto* a4 = s->add_attributes();
  a4->set_key("blob");
  a4->mutable_value()->set_bytes_value(std::string("\0\xff", 2));
  auto* a5 = s->add_attributes();
  a5->set_key("empty");
  a5->mutable_value();
  s->set_dropped_attributes_count(3);
  auto* ev = s->add_events();
  ev->set_name("exception");
  ev->set_time_unix_nano(1795732690500000000ull);
  auto* eattr = ev->add_attributes();
  eattr->set_key("exception.message");
  eattr->mutable_value()->set_string_value("boom");
  ev->set_dropped_attributes_count(1);
  s->add_events()->set_name("second");
  s->set_dropped_events_count(4);
  auto* ln = s->add_links();
  ln->set_trace_id(std::string(16, '\x09'));
  ln->set_span_id(std::string(8, '\x08'));
  ln->set_trace_state("a=b");
  ln->set_flags(0x101);
  ln->set_dropped_attributes_count(6);
  auto* lattr = ln->add_attributes();
  lattr->set_key("link.k");
  lattr->mutable_value()->set_string_value("v");
  s->set_dropped_links_count(5);
  s->mutable_status()->set_code(pb::Status::STATUS_CODE_ERROR);
  s->mutable_status()->set_message("failed");

  AddSpan(ss, '\x03')->set_name("child");
  pb::ScopeSpans* ss2 = rs->add_scope_spans();  // a scope without scope message
  AddSpan(ss2, '\x04')->set_name("anon");

  pb::ResourceSpans* rs2 = req.add_resource_spans();  // no resource at all
  AddSpan(rs2->add_scope_spans(), '\x05')->set_name("other");
  return req;
}

TEST(TraceDecoderTest, DecodesEveryField) {
  const std::string body = RichRequest().SerializeAsString();
  DecodedTraceRequest req;
  std::string error;
  ASSERT_TRUE(DecodeTraceRequest(body, &req, &error)) << error;

  ASSERT_EQ(req.resources().size(), 2u);
  ASSERT_EQ(req.scopes().size(), 3u);
  ASSERT_EQ(req.spans().size(), 4u);

  const DecodedResource& res = req.resources()[0];
  EXPECT_EQ(res.service_name(), "checkout");
  EXPECT_EQ(res.dropped_attributes_count, 2u);
  EXPECT_EQ(res.schema_url, "https://opentelemetry.io/schemas/1.26.0");
  EXPECT_TRUE(req.resources()[1].attributes.empty());
  EXPECT_EQ(req.resources()[1].service_name(), "");

  const DecodedSpan& s = req.spans()[0];
  ASSERT_NE(s.scope, nullptr);
  EXPECT_EQ(s.scope->name, "shop.order");
  EXPECT_EQ(s.scope->version, "1.2");
  EXPECT_EQ(s.scope->schema_url, "scope-schema");
  ASSERT_EQ(s.scope->attributes.size(), 1u);
  EXPECT_EQ(s.scope->attributes[0].key, "scope.k");
  EXPECT_TRUE(s.scope->attributes[0].value.bool_value);
  EXPECT_EQ(s.scope->resource, &req.resources()[0]);
  EXPECT_EQ(s.trace_id, std::string(16, '\x01'));
  EXPECT_EQ(s.span_id, std::string(8, '\x01'));
  EXPECT_EQ(s.parent_span_id, std::string(8, '\x02'));
  EXPECT_EQ(s.trace_state, "congo=t61rcWkgMzE");
  EXPECT_EQ(s.name, "GET /orders");
  EXPECT_EQ(s.kind, 2);
  EXPECT_EQ(s.flags, 0x301u);
  EXPECT_EQ(s.start_time_unix_nano, 1795732690475000000ull);
  EXPECT_EQ(s.end_time_unix_nano, 1795732690516276712ull);
  EXPECT_EQ(s.dropped_attributes_count, 3u);
  EXPECT_EQ(s.dropped_events_count, 4u);
  EXPECT_EQ(s.dropped_links_count, 5u);
  EXPECT_EQ(s.status_code, 2);
  EXPECT_EQ(s.status_message, "failed");

  ASSERT_EQ(s.attributes.size(), 5u);
  EXPECT_EQ(s.attributes[0].key, "http.response.status_code");
  EXPECT_EQ(s.attributes[0].value.kind, AnyValueKind::kInt);
  EXPECT_EQ(s.attributes[0].value.int_value, -200);
  EXPECT_EQ(s.attributes[1].value.kind, AnyValueKind::kDouble);
  EXPECT_EQ(s.attributes[1].value.double_value, 0.25);
  EXPECT_EQ(s.attributes[2].value.kind, AnyValueKind::kArray);
  std::vector<AnyValueView> items;
  ASSERT_TRUE(ParseArrayValue(s.attributes[2].value.bytes, &items, nullptr));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].bytes, "a");
  EXPECT_EQ(items[1].int_value, 5);
  EXPECT_EQ(s.attributes[3].value.kind, AnyValueKind::kBytes);
  EXPECT_EQ(s.attributes[3].value.bytes, std::string("\0\xff", 2));
  EXPECT_EQ(s.attributes[4].value.kind, AnyValueKind::kEmpty);

  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].name, "exception");
  EXPECT_EQ(s.events[0].time_unix_nano, 1795732690500000000ull);
  EXPECT_EQ(s.events[0].dropped_attributes_count, 1u);
  ASSERT_EQ(s.events[0].attributes.size(), 1u);
  EXPECT_EQ(s.events[0].attributes[0].value.bytes, "boom");
  EXPECT_EQ(s.events[1].name, "second");
  EXPECT_TRUE(s.events[1].attributes.empty());

  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].trace_id, std::string(16, '\x09'));
  EXPECT_EQ(s.links[0].span_id, std::string(8, '\x08'));
  EXPECT_EQ(s.links[0].trace_state, "a=b");
  EXPECT_EQ(s.links[0].flags, 0x101u);
  EXPECT_EQ(s.links[0].dropped_attributes_count, 6u);
  ASSERT_EQ(s.links[0].attributes.size(), 1u);
  EXPECT_EQ(s.links[0].attributes[0].key, "link.k");

  // The raw view is the span's own encoding.
  pb::Span reparsed;
  ASSERT_TRUE(reparsed.ParseFromString(std::string(s.raw)));
  EXPECT_EQ(reparsed.name(), "GET /orders");
  EXPECT_GE(s.raw.data(), body.data());
  EXPECT_LE(s.raw.data() + s.raw.size(), body.data() + body.size());

  EXPECT_EQ(req.spans()[1].name, "child");
  EXPECT_EQ(req.spans()[1].scope, s.scope);
  EXPECT_TRUE(req.spans()[1].parent_span_id.empty());
  EXPECT_EQ(req.spans()[2].scope->name, "");
  EXPECT_EQ(req.spans()[2].scope->resource, &req.resources()[0]);
  EXPECT_EQ(req.spans()[3].scope->resource, &req.resources()[1]);
}

TEST(TraceDecoderTest, EmptyBodyIsAnEmptyRequest) {
  DecodedTraceRequest req;
  std::string error;
  ASSERT_TRUE(DecodeTraceRequest("", &req, &error));
  EXPECT_TRUE(req.spans().empty());
}

TEST(TraceDecoderTest, ReusedRequestIsReplaced) {
  DecodedTraceRequest req;
  ASSERT_TRUE(DecodeTraceRequest(RichRequest().SerializeAsString(), &req, nullptr));
  pb::ExportTraceServiceRequest small;
  AddSpan(small.add_resource_spans()->add_scope_spans(), '\x07')->set_name("only");
  const std::string wire = small.SerializeAsString();  // the views point into it
  ASSERT_TRUE(DecodeTraceRequest(wire, &req, nullptr));
  ASSERT_EQ(req.spans().size(), 1u);
  EXPECT_EQ(req.spans()[0].name, "only");
  EXPECT_TRUE(req.spans()[0].attributes.empty());
}

TEST(TraceDecoderTest, RejectsBadIdLengthsWithThePlace) {
  struct Case {
    const char* what;
    void (*mutate)(pb::Span*);
    const char* message;
  };
  const Case cases[] = {
      {"short trace id", [](pb::Span* s) { s->set_trace_id(std::string(15, 'x')); },
       "resource_spans[0].scope_spans[1].spans[2]: trace_id must be 16 bytes, got 15"},
      {"no span id", [](pb::Span* s) { s->clear_span_id(); },
       "resource_spans[0].scope_spans[1].spans[2]: span_id must be 8 bytes, got 0"},
      {"bad parent", [](pb::Span* s) { s->set_parent_span_id("abc"); },
       "resource_spans[0].scope_spans[1].spans[2]: parent_span_id must be 8 bytes, got 3"},
      {"bad link", [](pb::Span* s) { s->add_links()->set_trace_id(std::string(16, 'x')); },
       "resource_spans[0].scope_spans[1].spans[2].links[0]: span_id must be 8 bytes, got 0"},
  };
  for (const Case& c : cases) {
    pb::ExportTraceServiceRequest r;
    auto* rs = r.add_resource_spans();
    AddSpan(rs->add_scope_spans(), 'a');
    auto* ss = rs->add_scope_spans();
    AddSpan(ss, 'b');
    AddSpan(ss, 'c');
    c.mutate(AddSpan(ss, 'd'));
    DecodedTraceRequest req;
    std::string error;
    EXPECT_FALSE(DecodeTraceRequest(r.SerializeAsString(), &req, &error)) << c.what;
    EXPECT_EQ(error, c.message) << c.what;
    EXPECT_TRUE(req.spans().empty()) << c.what;
  }
}

TEST(TraceDecoderTest, MalformedBodiesAreErrors) {
  const std::string body = RichRequest().SerializeAsString();
  DecodedTraceRequest req;
  size_t rejected = 0;
  for (size_t len = 1; len < body.size(); ++len) {
    std::string cut = body.substr(0, len);
    std::string error;
    pb::ExportTraceServiceRequest ref;
    bool ours = DecodeTraceRequest(cut, &req, &error);
    bool theirs = ref.ParseFromString(cut);
    if (!ours) {
      ++rejected;
      EXPECT_FALSE(error.empty());
    }
    // A truncation libprotobuf cannot parse we must not accept either.
    if (!theirs) EXPECT_FALSE(ours) << "length " << len;
  }
  EXPECT_GT(rejected, body.size() / 2);

  std::string error;
  EXPECT_FALSE(DecodeTraceRequest(std::string("\x0a\x05\x12\x03", 4), &req, &error));
  EXPECT_NE(error.find("past the end"), std::string::npos) << error;
}

TEST(TraceDecoderTest, UnknownFieldsAndWrongWireTypesAreSkipped) {
  pb::ExportTraceServiceRequest r;
  AddSpan(r.add_resource_spans()->add_scope_spans(), 'a')->set_name("n");
  std::string body = r.SerializeAsString();
  std::string extra;
  ProtoWriter w(&extra);
  w.Uint64(1, 5);           // resource_spans as a varint: unknown to protobuf
  w.String(999, "future");  // an unknown field
  w.Fixed32(77, 1);
  body += extra;
  pb::ExportTraceServiceRequest ref;
  ASSERT_TRUE(ref.ParseFromString(body));
  DecodedTraceRequest req;
  std::string error;
  ASSERT_TRUE(DecodeTraceRequest(body, &req, &error)) << error;
  ASSERT_EQ(req.spans().size(), 1u);
  EXPECT_EQ(req.spans()[0].name, "n");
}

TEST(TraceDecoderTest, RepeatedResourceMergesLikeProtobuf) {
  // resource, scope_spans, resource again: protobuf merges the two
  // resources (attributes concatenate).
  pb::ResourceSpans a, b;
  auto* k1 = a.mutable_resource()->add_attributes();
  k1->set_key("service.name");
  k1->mutable_value()->set_string_value("one");
  AddSpan(a.add_scope_spans(), 'a');
  auto* k2 = b.mutable_resource()->add_attributes();
  k2->set_key("host.name");
  k2->mutable_value()->set_string_value("h");
  std::string rs = a.SerializeAsString() + b.SerializeAsString();
  std::string body;
  ProtoWriter(&body).Bytes(1, rs);

  pb::ExportTraceServiceRequest ref;
  ASSERT_TRUE(ref.ParseFromString(body));
  ASSERT_EQ(ref.resource_spans(0).resource().attributes_size(), 2);

  DecodedTraceRequest req;
  ASSERT_TRUE(DecodeTraceRequest(body, &req, nullptr));
  ASSERT_EQ(req.resources().size(), 1u);
  ASSERT_EQ(req.resources()[0].attributes.size(), 2u);
  EXPECT_EQ(req.resources()[0].attributes[0].key, "service.name");
  EXPECT_EQ(req.resources()[0].attributes[1].key, "host.name");
  EXPECT_EQ(req.spans()[0].scope->resource->service_name(), "one");
}

TEST(TraceDecoderTest, OverlyNestedAttributeIsRejected) {
  pb::AnyValue deep;
  pb::AnyValue* cur = &deep;
  for (int i = 0; i < kMaxAnyValueDepth + 2; ++i) cur = cur->mutable_array_value()->add_values();
  cur->set_int_value(1);
  pb::ExportTraceServiceRequest r;
  auto* kv = AddSpan(r.add_resource_spans()->add_scope_spans(), 'a')->add_attributes();
  kv->set_key("deep");
  *kv->mutable_value() = deep;
  DecodedTraceRequest req;
  std::string error;
  EXPECT_FALSE(DecodeTraceRequest(r.SerializeAsString(), &req, &error));
  EXPECT_NE(error.find("nested too deeply"), std::string::npos) << error;
}

// Random requests built by libprotobuf decode to the same spans.
TEST(TraceDecoderTest, AgreesWithLibprotobufOnRandomRequests) {
  std::mt19937_64 rng(1234);
  auto rnd = [&](size_t n) {
    std::string s(rng() % (n + 1), '\0');
    for (char& c : s) c = static_cast<char>('a' + rng() % 26);
    return s;
  };
  for (int iter = 0; iter < 200; ++iter) {
    pb::ExportTraceServiceRequest r;
    int nrs = static_cast<int>(rng() % 3);
    for (int i = 0; i < nrs; ++i) {
      auto* rs = r.add_resource_spans();
      auto* kv = rs->mutable_resource()->add_attributes();
      kv->set_key("service.name");
      kv->mutable_value()->set_string_value(rnd(8));
      int nss = static_cast<int>(rng() % 3);
      for (int j = 0; j < nss; ++j) {
        auto* ss = rs->add_scope_spans();
        ss->mutable_scope()->set_name(rnd(5));
        int nsp = static_cast<int>(rng() % 5);
        for (int k = 0; k < nsp; ++k) {
          auto* s = AddSpan(ss, static_cast<char>(rng()));
          s->set_name(rnd(20));
          s->set_start_time_unix_nano(rng());
          s->set_kind(static_cast<pb::Span::SpanKind>(rng() % 6));
          int na = static_cast<int>(rng() % 4);
          for (int a = 0; a < na; ++a) {
            auto* at = s->add_attributes();
            at->set_key(rnd(6));
            at->mutable_value()->set_int_value(static_cast<int64_t>(rng()));
          }
        }
      }
    }
    const std::string body = r.SerializeAsString();
    DecodedTraceRequest req;
    std::string error;
    ASSERT_TRUE(DecodeTraceRequest(body, &req, &error)) << error;
    size_t idx = 0;
    for (const auto& rs : r.resource_spans()) {
      for (const auto& ss : rs.scope_spans()) {
        for (const auto& s : ss.spans()) {
          ASSERT_LT(idx, req.spans().size());
          const DecodedSpan& d = req.spans()[idx++];
          EXPECT_EQ(d.name, s.name());
          EXPECT_EQ(d.trace_id, s.trace_id());
          EXPECT_EQ(d.start_time_unix_nano, s.start_time_unix_nano());
          EXPECT_EQ(d.kind, s.kind());
          EXPECT_EQ(d.scope->name, ss.scope().name());
          EXPECT_EQ(d.scope->resource->service_name(), rs.resource().attributes(0).value().string_value());
          ASSERT_EQ(d.attributes.size(), static_cast<size_t>(s.attributes_size()));
          for (int a = 0; a < s.attributes_size(); ++a) {
            EXPECT_EQ(d.attributes[a].key, s.attributes(a).key());
            EXPECT_EQ(d.attributes[a].value.int_value, s.attributes(a).value().int_value());
          }
        }
      }
    }
    EXPECT_EQ(idx, req.spans().size());
  }
}

// ---- the bodies captured from the OpenTelemetry JS SDK -----------------

// The leading number of a decoded.json enum text such as "3 (CLIENT)".
int EnumNumber(const JsonValue& v) { return std::stoi(v.text); }

void ExpectAttributesMatch(const JsonValue& expected, std::span<const KeyValueView> got,
                           const std::string& where) {
  ASSERT_EQ(expected.size(), got.size()) << where;
  for (size_t i = 0; i < got.size(); ++i) {
    const JsonValue& kv = expected[i];
    EXPECT_EQ(kv["key"].text, got[i].key) << where;
    const JsonValue& v = kv["value"];
    const AnyValueView& a = got[i].value;
    if (v.has("string_value")) {
      EXPECT_EQ(a.kind, AnyValueKind::kString) << where;
      EXPECT_EQ(v["string_value"].text, a.bytes) << where;
    } else if (v.has("int_value")) {
      EXPECT_EQ(a.kind, AnyValueKind::kInt) << where;
      EXPECT_EQ(std::stoll(v["int_value"].text), a.int_value) << where;
    } else if (v.has("double_value")) {
      EXPECT_EQ(a.kind, AnyValueKind::kDouble) << where;
      EXPECT_EQ(std::stod(v["double_value"].text), a.double_value) << where;
    } else if (v.has("bool_value")) {
      EXPECT_EQ(a.kind, AnyValueKind::kBool) << where;
      EXPECT_EQ(v["bool_value"].boolean, a.bool_value) << where;
    } else if (v.has("array_value")) {
      ASSERT_EQ(a.kind, AnyValueKind::kArray) << where;
      std::vector<AnyValueView> items;
      ASSERT_TRUE(ParseArrayValue(a.bytes, &items, nullptr));
      const JsonValue& values = v["array_value"]["values"];
      ASSERT_EQ(values.size(), items.size()) << where;
      for (size_t k = 0; k < items.size(); ++k)
        EXPECT_EQ(values[k]["string_value"].text, items[k].bytes) << where;
    } else {
      ADD_FAILURE() << "unexpected value kind in sample at " << where;
    }
  }
}

uint64_t U64(const JsonValue& v) { return v.is_number() ? std::stoull(v.text) : 0; }

void CheckTraceSample(const std::string& name) {
  const std::string body = callpath::testing::ReadOtlpSample(name);
  ASSERT_FALSE(body.empty()) << name;
  pb::ExportTraceServiceRequest ref;
  ASSERT_TRUE(ref.ParseFromString(body)) << name << " does not parse with libprotobuf";

  std::string json_error;
  auto expected = JsonParser::Parse(
      callpath::testing::ReadOtlpSample(name + ".decoded.json"),
      &json_error);
  ASSERT_TRUE(expected.has_value()) << json_error;

  DecodedTraceRequest req;
  std::string error;
  ASSERT_TRUE(DecodeTraceRequest(body, &req, &error)) << name << ": " << error;

  size_t idx = 0;
  const JsonValue& rss = (*expected)["resource_spans"];
  ASSERT_EQ(req.resources().size(), rss.size());
  for (size_t r = 0; r < rss.size(); ++r) {
    ExpectAttributesMatch(rss[r]["resource"]["attributes"], req.resources()[r].attributes,
                          name + " resource");
    const JsonValue& sss = rss[r]["scope_spans"];
    for (size_t j = 0; j < sss.size(); ++j) {
      const JsonValue& spans = sss[j]["spans"];
      for (size_t k = 0; k < spans.size(); ++k) {
        const JsonValue& e = spans[k];
        ASSERT_LT(idx, req.spans().size());
        const DecodedSpan& s = req.spans()[idx++];
        const std::string where = name + " span " + e["span_id"].text;
        EXPECT_EQ(s.scope->name, sss[j]["scope"]["name"].text) << where;
        EXPECT_EQ(s.scope->version, sss[j]["scope"]["version"].text) << where;
        EXPECT_EQ(Hex(s.trace_id), e["trace_id"].text) << where;
        EXPECT_EQ(Hex(s.span_id), e["span_id"].text) << where;
        EXPECT_EQ(Hex(s.parent_span_id), e["parent_span_id"].text) << where;
        EXPECT_EQ(s.trace_state, e["trace_state"].text) << where;
        EXPECT_EQ(s.name, e["name"].text) << where;
        EXPECT_EQ(s.kind, EnumNumber(e["kind"])) << where;
        EXPECT_EQ(s.start_time_unix_nano, U64(e["start_time_unix_nano"])) << where;
        EXPECT_EQ(s.end_time_unix_nano, U64(e["end_time_unix_nano"])) << where;
        EXPECT_EQ(s.flags, U64(e["flags"])) << where;
        EXPECT_EQ(s.status_code, EnumNumber(e["status"]["code"])) << where;
        EXPECT_EQ(s.dropped_attributes_count, U64(e["dropped_attributes_count"])) << where;
        ExpectAttributesMatch(e["attributes"], s.attributes, where);
        ASSERT_EQ(s.events.size(), e["events"].size()) << where;
        for (size_t v = 0; v < s.events.size(); ++v) {
          EXPECT_EQ(s.events[v].name, e["events"][v]["name"].text) << where;
          EXPECT_EQ(s.events[v].time_unix_nano, U64(e["events"][v]["time_unix_nano"])) << where;
          ExpectAttributesMatch(e["events"][v]["attributes"], s.events[v].attributes, where);
        }
        EXPECT_EQ(s.links.size(), e["links"].size()) << where;
      }
    }
  }
  EXPECT_EQ(idx, req.spans().size());
  int ref_spans = 0;
  for (const auto& rs : ref.resource_spans())
    for (const auto& ss : rs.scope_spans()) ref_spans += ss.spans_size();
  EXPECT_EQ(static_cast<size_t>(ref_spans), req.spans().size());
  EXPECT_GT(ref_spans, 0);
}

TEST(TraceDecoderTest, JsClientSampleMatchesItsDecodedJson) { CheckTraceSample("otlp-traces-client.pb"); }
TEST(TraceDecoderTest, JsServerSampleMatchesItsDecodedJson) { CheckTraceSample("otlp-traces-server.pb"); }

TEST(TraceDecoderTest, ResponseSamplesParseWithLibprotobuf) {
  pb::ExportTraceServiceResponse full, partial;
  EXPECT_TRUE(full.ParseFromString(callpath::testing::ReadOtlpSample("otlp-traces-response-full-success.pb")));
  EXPECT_FALSE(full.has_partial_success());
  ASSERT_TRUE(partial.ParseFromString(callpath::testing::ReadOtlpSample("otlp-traces-response-partial-success.pb")));
  EXPECT_EQ(partial.partial_success().rejected_spans(), 1);
}

}  // namespace
}  // namespace callpath::otlp
