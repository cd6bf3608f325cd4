#include "callpath/http/client_span.h"

#include <gtest/gtest.h>

#include "http/test_tracing.h"

namespace callpath::http {
namespace {

using testing::AttrString;
using testing::TestTracing;

TEST(ParseUrl, SplitsTheParts) {
  UrlParts p = ParseUrl("https://user:secret@Shop.example:8443/a/b?x=1#frag");
  EXPECT_EQ(p.scheme, "https");
  EXPECT_EQ(p.host, "Shop.example");
  EXPECT_EQ(p.port, 8443);
  EXPECT_EQ(p.path, "/a/b");
  EXPECT_EQ(p.query, "x=1");
  EXPECT_EQ(p.redacted, "https://REDACTED:REDACTED@Shop.example:8443/a/b?x=1#frag");
}

TEST(ParseUrl, RedactsCredentialQueryParameters) {
  EXPECT_EQ(ParseUrl("https://s3.example/b/o?X-Amz-Signature=abc&part=2").redacted,
            "https://s3.example/b/o?X-Amz-Signature=REDACTED&part=2");
  EXPECT_EQ(ParseUrl("http://u:p@h/cb?access_token=t#x").redacted, "http://REDACTED:REDACTED@h/cb?access_token=REDACTED#x");
  EXPECT_EQ(ParseUrl("http://h/a?b=c").redacted, "http://h/a?b=c");
}

TEST(ParseUrl, DefaultsAndIpv6) {
  EXPECT_EQ(ParseUrl("http://h").port, 80);
  EXPECT_EQ(ParseUrl("http://h").path, "/");
  EXPECT_EQ(ParseUrl("https://h/").port, 443);
  UrlParts v6 = ParseUrl("http://[::1]:9000/x");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9000);
  EXPECT_EQ(ParseUrl("http://h:99999/").port, -1);
  EXPECT_EQ(ParseUrl("").host, "");
  EXPECT_EQ(ParseUrl(":::///?@@").host, "");  // garbage in: nothing usable, no crash
}

TEST(ClientSpan, InjectsItsOwnContextAsParent) {
  TestTracing tracing;
  W3CTraceContextPropagator w3c;
  ClientOptions options{.provider = tracing.provider, .propagator = &w3c};
  Span parent = tracing.provider->GetTracer("t").StartSpan("parent");
  Scope scope = parent.Activate();
  HeaderMapCarrier::Headers headers;
  HeaderMapCarrier carrier(headers);
  ClientSpan span("POST", "http://inventory:8080/reserve", carrier, options);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].first, "traceparent");
  auto sent = ParseTraceparent(headers[0].second);
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->span_id(), span.context().span_id());
  EXPECT_EQ(sent->trace_id(), parent.context().trace_id());
  span.End(503);
  auto spans = tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, SpanKind::kClient);
  EXPECT_EQ(spans[0].name, "POST");
  EXPECT_EQ(spans[0].parent_span_id, parent.context().span_id());
  EXPECT_EQ(AttrString(spans[0], "url.full"), "http://inventory:8080/reserve");
  EXPECT_EQ(AttrString(spans[0], "server.address"), "inventory");
  EXPECT_EQ(AttrString(spans[0], "server.port"), "8080");
  EXPECT_EQ(AttrString(spans[0], "error.type"), "503");
  EXPECT_EQ(spans[0].status_code, SpanStatusCode::kError);
}

TEST(ClientSpan, SuccessLeavesStatusUnsetAndTransportErrorSetsType) {
  TestTracing tracing;
  ClientOptions options{.provider = tracing.provider};
  HeaderMapCarrier::Headers headers;
  HeaderMapCarrier carrier(headers);
  { ClientSpan s("GET", "http://a/", carrier, options); s.End(302); }
  { ClientSpan s("GET", "http://a/", carrier, options); s.EndWithError("timeout", "5s"); }
  auto spans = tracing.Spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].status_code, SpanStatusCode::kUnset);
  EXPECT_EQ(AttrString(spans[0], "error.type"), "<absent>");
  EXPECT_EQ(spans[1].status_code, SpanStatusCode::kError);
  EXPECT_EQ(spans[1].status_message, "5s");
  EXPECT_EQ(AttrString(spans[1], "error.type"), "timeout");
}

}  // namespace
}  // namespace callpath::http
