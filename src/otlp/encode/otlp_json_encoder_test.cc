#include "otlp/encode/otlp_json_encoder.h"

#include <gtest/gtest.h>

#include <limits>

#include <set>

#include "otlp/encode/otlp_encoder_test_util.h"
#include "otlp/testing/mini_json.h"
#include "otlp/testing/otlp_proto.h"
#include "otlp/testing/otlp_samples.h"

namespace callpath::internal {
namespace {

using callpath::testing::HttpScope;
using callpath::testing::JsonParser;
using callpath::testing::JsonValue;
using callpath::testing::PlainSpan;
using callpath::testing::RichSpan;
using callpath::testing::TestResource;

JsonValue ParseOrDie(const std::string& text) {
  std::string error;
  auto v = JsonParser::Parse(text, &error);
  EXPECT_TRUE(v.has_value()) << error << "\n" << text;
  return v.value_or(JsonValue{});
}

TEST(OtlpJsonEncoderTest, PlainSpanExactText) {
  const std::vector<SpanData> batch = {PlainSpan(1, &HttpScope())};
  Resource r;
  r.attributes = {{"service.name", std::string("svc")}};
  EXPECT_EQ(EncodeTraceRequestJson(batch, r),
            R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},)"
            R"("scopeSpans":[{"scope":{"name":"callpath.http"},"spans":[{)"
            R"("traceId":"10101010101010101010101010101010","spanId":"0101010101010101",)"
            R"("flags":257,"name":"work","kind":1,"startTimeUnixNano":"10","endTimeUnixNano":"20"}]}]}]})");
}

TEST(OtlpJsonEncoderTest, RichSpanFields) {
  const std::vector<SpanData> batch = {RichSpan()};
  const JsonValue doc = ParseOrDie(EncodeTraceRequestJson(batch, TestResource()));
  const JsonValue& rs = doc["resourceSpans"][0];
  EXPECT_EQ(rs["resource"]["attributes"][1]["value"]["intValue"].text, "7");
  EXPECT_TRUE(rs["resource"]["attributes"][1]["value"]["intValue"].is_string());
  EXPECT_EQ(rs["scopeSpans"][0]["scope"]["version"].text, "1.2");
  const JsonValue& s = rs["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(s["traceId"].text, std::string(32, 'a').replace(0, 32, "abababababababababababababababab"));
  EXPECT_EQ(s["spanId"].text, "0101010101010101");
  EXPECT_EQ(s["parentSpanId"].text, "0202020202020202");
  EXPECT_EQ(s["traceState"].text, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  EXPECT_EQ(s["flags"].text, "771");
  EXPECT_EQ(s["kind"].text, "2");
  EXPECT_TRUE(s["startTimeUnixNano"].is_string());
  EXPECT_EQ(s["startTimeUnixNano"].text, "1795732690475000000");
  EXPECT_EQ(s["endTimeUnixNano"].text, "1795732690516276712");
  EXPECT_EQ(s["droppedAttributesCount"].text, "3");
  EXPECT_EQ(s["droppedEventsCount"].text, "4");
  EXPECT_EQ(s["droppedLinksCount"].text, "5");
  EXPECT_EQ(s["status"]["code"].text, "2");
  EXPECT_EQ(s["status"]["message"].text, "upstream unavailable");

  const JsonValue& a = s["attributes"];
  ASSERT_EQ(a.size(), 11u);
  EXPECT_EQ(a[0]["value"]["stringValue"].text, "GET");
  EXPECT_EQ(a[1]["value"]["intValue"].text, "503");
  EXPECT_EQ(a[2]["value"]["intValue"].text, "-7");
  EXPECT_EQ(a[3]["value"]["doubleValue"].text, "0.25");
  EXPECT_EQ(a[4]["value"]["boolValue"].type, JsonValue::Type::kBool);
  EXPECT_FALSE(a[4]["value"]["boolValue"].boolean);
  EXPECT_TRUE(a[5]["value"]["stringValue"].is_string());
  EXPECT_TRUE(a[6]["value"]["arrayValue"]["values"][0]["boolValue"].boolean);
  EXPECT_EQ(a[7]["value"]["arrayValue"]["values"][2]["intValue"].text, "300");
  EXPECT_EQ(a[8]["value"]["arrayValue"]["values"][1]["doubleValue"].text, "-0");
  EXPECT_EQ(a[9]["value"]["arrayValue"]["values"][2]["stringValue"].text, "c");
  EXPECT_EQ(a[10]["value"]["arrayValue"]["values"].size(), 0u);

  ASSERT_EQ(s["events"].size(), 2u);
  EXPECT_EQ(s["events"][0]["timeUnixNano"].text, "1795732690500000000");
  EXPECT_EQ(s["events"][0]["name"].text, "exception");
  EXPECT_EQ(s["events"][0]["droppedAttributesCount"].text, "1");
  EXPECT_FALSE(s["events"][1].has("attributes"));
  ASSERT_EQ(s["links"].size(), 1u);
  EXPECT_EQ(s["links"][0]["traceId"].text, "09090909090909090909090909090909");
  EXPECT_EQ(s["links"][0]["spanId"].text, "0808080808080808");
  EXPECT_EQ(s["links"][0]["traceState"].text, "k=v");
  EXPECT_EQ(s["links"][0]["flags"].text, "769");
  EXPECT_EQ(s["links"][0]["droppedAttributesCount"].text, "2");
}

TEST(OtlpJsonEncoderTest, StringsAreEscapedAndSanitized) {
  SpanData s = PlainSpan(1, &HttpScope());
  s.name = std::string("quote\" back\\ nl\n tab\t nul") + '\0' + " bad\xff end \xC3\xA9";
  s.attributes = {{"k\x01", std::string("v\x80")}};
  const std::vector<SpanData> batch = {s};
  const std::string text = EncodeTraceRequestJson(batch, Resource{});
  EXPECT_NE(text.find(R"("quote\" back\\ nl\n tab\t nul\u0000 bad)" "\xEF\xBF\xBD" " end \xC3\xA9\""),
            std::string::npos)
      << text;
  const JsonValue doc = ParseOrDie(text);
  const JsonValue& attr = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"][0];
  EXPECT_EQ(attr["key"].text, "k\x01");
  EXPECT_EQ(attr["value"]["stringValue"].text, "v\xEF\xBF\xBD");
}

TEST(OtlpJsonEncoderTest, NonFiniteDoublesAreProto3Strings) {
  SpanData s = PlainSpan(1, &HttpScope());
  s.attributes = {{"nan", std::numeric_limits<double>::quiet_NaN()},
                  {"inf", -std::numeric_limits<double>::infinity()}};
  const std::vector<SpanData> batch = {s};
  const JsonValue doc = ParseOrDie(EncodeTraceRequestJson(batch, Resource{}));
  const JsonValue& a = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"];
  EXPECT_EQ(a[0]["value"]["doubleValue"].text, "NaN");
  EXPECT_TRUE(a[0]["value"]["doubleValue"].is_string());
  EXPECT_EQ(a[1]["value"]["doubleValue"].text, "-Infinity");
}

TEST(OtlpJsonEncoderTest, GroupsByScopeLikeTheProtoEncoder) {
  const std::vector<SpanData> batch = {PlainSpan(1, &HttpScope()), PlainSpan(2, nullptr),
                                       PlainSpan(3, &HttpScope())};
  const JsonValue doc = ParseOrDie(EncodeTraceRequestJson(batch, Resource{}));
  const JsonValue& ss = doc["resourceSpans"][0]["scopeSpans"];
  ASSERT_EQ(ss.size(), 2u);
  EXPECT_EQ(ss[0]["spans"].size(), 2u);
  EXPECT_FALSE(ss[1].has("scope"));
  EXPECT_EQ(ss[1]["spans"][0]["spanId"].text, "0202020202020202");
}

// Every member path of a document, with array indexes folded: e.g.
// "resourceSpans[].scopeSpans[].spans[].kind".
void CollectPaths(const JsonValue& v, const std::string& prefix, std::set<std::string>* out) {
  if (v.is_object()) {
    for (size_t i = 0; i < v.names.size(); ++i) {
      const std::string p = prefix.empty() ? v.names[i] : prefix + "." + v.names[i];
      out->insert(p);
      CollectPaths(v.values[i], p, out);
    }
  } else if (v.is_array()) {
    for (const JsonValue& item : v.items) CollectPaths(item, prefix + "[]", out);
  }
}

// Our JSON uses the same member names, nesting and value conventions as
// the OpenTelemetry JS SDK's bodies, apart from members the JS samples
// happen not to contain.
TEST(OtlpJsonEncoderTest, ShapeMatchesTheJsSamples) {
  std::set<std::string> js;
  for (const char* name : {"otlp-traces-client.json", "otlp-traces-server.json"}) {
    const std::string text = callpath::testing::ReadOtlpSample(name);
    ASSERT_FALSE(text.empty()) << name;
    CollectPaths(ParseOrDie(text), "", &js);
  }
  const std::vector<SpanData> batch = {RichSpan()};
  std::set<std::string> ours;
  const JsonValue doc = ParseOrDie(EncodeTraceRequestJson(batch, TestResource()));
  CollectPaths(doc, "", &ours);

  const std::string span = "resourceSpans[].scopeSpans[].spans[]";
  const std::set<std::string> not_in_samples = {
      span + ".attributes[].value.arrayValue.values[].boolValue",
      span + ".attributes[].value.arrayValue.values[].doubleValue",
      span + ".attributes[].value.arrayValue.values[].intValue",
      span + ".links[].traceState",
      "resourceSpans[].resource.attributes[].value.intValue",
  };

  std::set<std::string> extra;
  for (const std::string& p : ours)
    if (!js.count(p)) extra.insert(p);
  EXPECT_EQ(extra, not_in_samples);

  // Value conventions of the samples: hex ids, times as strings, numeric flags.
  const JsonValue js_doc = ParseOrDie(
      callpath::testing::ReadOtlpSample("otlp-traces-server.json"));
  const JsonValue& js_span = js_doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  const JsonValue& our_span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  for (const char* key : {"traceId", "spanId", "parentSpanId", "startTimeUnixNano", "endTimeUnixNano",
                          "flags", "kind", "name", "traceState"}) {
    EXPECT_EQ(js_span[key].type, our_span[key].type) << key;
    if (js_span[key].is_string() && std::string_view(key).ends_with("Id"))
      EXPECT_EQ(js_span[key].text.size(), our_span[key].text.size()) << key;
  }
}

}  // namespace
}  // namespace callpath::internal
