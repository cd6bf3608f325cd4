#include "callpath/http/server_span.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "http/test_tracing.h"

namespace callpath::http {
namespace {

using testing::AttrString;
using testing::TestTracing;

struct Fixture {
  TestTracing tracing;
  W3CTraceContextPropagator w3c;
  struct Logged { std::string method, route; int status; };
  std::vector<Logged> log;
  std::vector<std::string> log_trace_ids;
  ServerOptions options;
  HeaderMapCarrier::Headers headers;
  HeaderMapCarrier carrier{headers};

  Fixture() {
    options.provider = tracing.provider;
    options.propagator = &w3c;
    options.access_log_hook = [this](const AccessLogEntry& e) {
      log.push_back({std::string(e.method), std::string(e.route), e.status_code});
      log_trace_ids.push_back(Context::Current().span_context().trace_id().ToHex());
    };
  }
  IncomingRequest Request(std::string_view method = "GET", std::string_view target = "/users/7?x=1") {
    return {.method = method, .target = target, .protocol_version = "1.1",
            .peer_address = "10.0.0.9", .peer_port = 5555, .local_port = 8080,
            .headers = &carrier};
  }
};

TEST(ServerSpan, CredentialQueryValuesAreNotRecorded) {
  Fixture f;
  ServerSpan span(f.Request("GET", "/login?user=a&password=hunter2&sig=x"), f.options);
  span.End(200);
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(AttrString(spans[0], "url.query"), "user=a&password=REDACTED&sig=REDACTED");
}

// OpenTelemetry's HTTP conventions: credentials in these headers are never
// recorded; no attribute of the span may hold any of their values.
TEST(ServerSpan, CredentialHeaderValuesAreNeverRecorded) {
  Fixture f;
  f.headers = {{"Authorization", "Bearer tok-secret-1"},
               {"Cookie", "session=cookie-secret-2"},
               {"Proxy-Authorization", "Basic proxy-secret-3"},
               {"User-Agent", "curl/8"}};
  ServerSpan span(f.Request("GET", "/a?token=query-secret-4"), f.options);
  span.End(200);
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  for (const Attribute& a : spans[0].attributes) {
    const std::string v = AttributeValueToString(a.value);
    for (const char* secret : {"tok-secret-1", "cookie-secret-2", "proxy-secret-3", "query-secret-4"}) {
      EXPECT_EQ(v.find(secret), std::string::npos) << a.key << "=" << v;
    }
  }
}

TEST(ServerSpan, ContinuesIncomingTraceWithStableAttributes) {
  Fixture f;
  f.headers = {{"TraceParent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
               {"Host", "shop.example:8443"},
               {"User-Agent", "curl/8"}};
  ServerSpan span(f.Request(), f.options);
  span.SetRoute("/users/:id");
  span.End(200);
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& s = spans[0];
  EXPECT_EQ(s.name, "GET /users/:id");
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.context.trace_id().ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(s.parent_span_id.ToHex(), "00f067aa0ba902b7");
  EXPECT_TRUE(s.parent_is_remote);
  EXPECT_EQ(AttrString(s, "http.request.method"), "GET");
  EXPECT_EQ(AttrString(s, "url.path"), "/users/7");
  EXPECT_EQ(AttrString(s, "url.query"), "x=1");
  EXPECT_EQ(AttrString(s, "url.scheme"), "http");
  EXPECT_EQ(AttrString(s, "http.route"), "/users/:id");
  EXPECT_EQ(AttrString(s, "server.address"), "shop.example");
  EXPECT_EQ(AttrString(s, "server.port"), "8443");
  EXPECT_EQ(AttrString(s, "client.address"), "10.0.0.9");
  EXPECT_EQ(AttrString(s, "user_agent.original"), "curl/8");
  EXPECT_EQ(AttrString(s, "network.protocol.version"), "1.1");
  EXPECT_EQ(AttrString(s, "http.response.status_code"), "200");
  EXPECT_EQ(AttrString(s, "error.type"), "<absent>");
  EXPECT_EQ(s.status_code, SpanStatusCode::kUnset);
}

TEST(ServerSpan, MalformedTraceparentStartsNewTrace) {
  Fixture f;
  f.headers = {{"traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}};
  ServerSpan span(f.Request(), f.options);
  span.End(200);
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_NE(spans[0].context.trace_id().ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(spans[0].parent_span_id.IsValid());
}

TEST(ServerSpan, FiveHundredIsErrorFourHundredIsNot) {
  Fixture f;
  { ServerSpan s(f.Request(), f.options); s.End(404); }
  { ServerSpan s(f.Request(), f.options); s.End(503); }
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].status_code, SpanStatusCode::kUnset);
  EXPECT_EQ(AttrString(spans[0], "error.type"), "<absent>");
  EXPECT_EQ(spans[1].status_code, SpanStatusCode::kError);
  EXPECT_EQ(AttrString(spans[1], "error.type"), "503");
}

TEST(ServerSpan, ExceptionBecomesEventAndErrorType) {
  Fixture f;
  ServerSpan span(f.Request(), f.options);
  span.RecordException(std::runtime_error("db down"));
  span.End(500);
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  ASSERT_EQ(spans[0].events.size(), 1u);
  EXPECT_EQ(spans[0].events[0].name, "exception");
  EXPECT_EQ(AttrString(spans[0], "error.type"), "std::runtime_error");
  EXPECT_EQ(spans[0].status_code, SpanStatusCode::kError);
}

TEST(ServerSpan, UnknownMethodIsOther) {
  Fixture f;
  ServerSpan span(f.Request("BREW", "/pot"), f.options);
  span.SetRoute("/pot");
  span.End(418);
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "HTTP /pot");
  EXPECT_EQ(AttrString(spans[0], "http.request.method"), "_OTHER");
  EXPECT_EQ(AttrString(spans[0], "http.request.method_original"), "BREW");
}

TEST(ServerSpan, ForwardedHeadersGiveClientAndServerAddress) {
  Fixture f;
  f.headers = {{"X-Forwarded-For", "203.0.113.7, 10.0.0.1"},
               {"X-Forwarded-Host", "api.example"},
               {"Host", "internal:9000"}};
  { ServerSpan s(f.Request(), f.options); s.End(200); }
  f.options.trust_forwarded_headers = false;
  { ServerSpan s(f.Request(), f.options); s.End(200); }
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(AttrString(spans[0], "client.address"), "203.0.113.7");
  EXPECT_EQ(AttrString(spans[0], "server.address"), "api.example");
  EXPECT_EQ(AttrString(spans[0], "server.port"), "8080");
  EXPECT_EQ(AttrString(spans[1], "client.address"), "10.0.0.9");
  EXPECT_EQ(AttrString(spans[1], "server.address"), "internal");
  EXPECT_EQ(AttrString(spans[1], "server.port"), "9000");
}

TEST(ServerSpan, ResponseHeadersCarryTheTraceBack) {
  Fixture f;
  ServerSpan span(f.Request(), f.options);
  auto headers = span.ResponseHeaders();
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].first, "traceresponse");
  EXPECT_EQ(headers[0].second, FormatTraceresponse(span.span().context()));
  EXPECT_EQ(headers[0].second.size(), 55u);
  EXPECT_EQ(headers[1].first, "X-Trace-ID");
  EXPECT_EQ(headers[1].second, span.span().context().trace_id().ToHex());
  f.options.trace_id_header.clear();
  f.options.traceresponse_header = false;
  EXPECT_TRUE(span.ResponseHeaders().empty());
}

TEST(ServerSpan, AccessLogRunsInsideTheSpanContext) {
  Fixture f;
  ServerSpan span(f.Request("POST", "/orders"), f.options);
  span.SetRoute("/orders");
  std::string trace = span.span().context().trace_id().ToHex();
  span.End(201);
  span.End(500);  // ignored
  ASSERT_EQ(f.log.size(), 1u);
  EXPECT_EQ(f.log[0].method, "POST");
  EXPECT_EQ(f.log[0].route, "/orders");
  EXPECT_EQ(f.log[0].status, 201);
  EXPECT_EQ(f.log_trace_ids[0], trace);
}

TEST(ServerSpan, DestroyedWithoutEndIsAnError) {
  Fixture f;
  { ServerSpan span(f.Request(), f.options); }
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].status_code, SpanStatusCode::kError);
  EXPECT_EQ(f.log.size(), 1u);
}

TEST(ServerSpan, MovedFromSpanDoesNothing) {
  Fixture f;
  ServerSpan a(f.Request(), f.options);
  ServerSpan b(std::move(a));
  a.End(200);
  EXPECT_TRUE(f.tracing.Spans().empty());
  b.End(200);
  EXPECT_EQ(f.tracing.Spans().size(), 1u);
  EXPECT_EQ(f.log.size(), 1u);
}

TEST(ServerSpan, ResponseHeaderVisitorMatchesTheList) {
  Fixture f;
  ServerSpan span(f.Request(), f.options);
  std::vector<std::pair<std::string, std::string>> seen;
  span.ForEachResponseHeader([&](std::string_view name, std::string_view value) {
    seen.emplace_back(std::string(name), std::string(value));
  });
  EXPECT_EQ(seen, span.ResponseHeaders());
  ASSERT_EQ(seen.size(), 2u);
  f.options.trace_id_header = "X-Request-Trace";
  f.options.traceresponse_header = false;
  seen.clear();
  span.ForEachResponseHeader([&](std::string_view name, std::string_view value) {
    seen.emplace_back(std::string(name), std::string(value));
  });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "X-Request-Trace");
  EXPECT_EQ(seen[0].second, span.span().context().trace_id().ToHex());

  ServerSpan inactive;
  int calls = 0;
  inactive.ForEachResponseHeader([&](std::string_view, std::string_view) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(ServerSpan, AccessLogQuotesTheRequest) {
  Fixture f;
  std::vector<std::string> fields;
  f.options.access_log_hook = [&](const AccessLogEntry& e) {
    fields = {std::string(e.method), std::string(e.target), std::string(e.route),
              std::string(e.client_address), std::string(e.user_agent)};
  };
  f.headers = {{"X-Forwarded-For", "203.0.113.7"}, {"User-Agent", "curl/8"}};
  {
    // The request's storage goes away before End: the entry must not
    // point into it.
    std::string method = "BREW", target = "/pot?size=2";
    ServerSpan span(f.Request(method, target), f.options);
    span.SetRoute(std::string("/pot"));
    method.assign("XXXX");
    target.assign("/xxxxxxxxxx");
    f.headers.clear();
    span.End(418);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"BREW", "/pot?size=2", "/pot", "203.0.113.7", "curl/8"}));
}

TEST(ServerSpan, AttributesAreTheSameWithoutAccessLog) {
  Fixture f;
  f.options.access_log = false;
  int logged = 0;
  f.options.access_log_hook = [&](const AccessLogEntry&) { ++logged; };
  f.headers = {{"Forwarded", "for=198.51.100.17;proto=https"}, {"User-Agent", "curl/8"},
               {"Host", "shop.example"}};
  {
    ServerSpan span(f.Request(), f.options);
    span.SetRoute("/users/:id");
    span.End(500);
  }
  EXPECT_EQ(logged, 0);
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "GET /users/:id");
  EXPECT_EQ(AttrString(spans[0], "client.address"), "198.51.100.17");
  EXPECT_EQ(AttrString(spans[0], "network.peer.address"), "10.0.0.9");
  EXPECT_EQ(AttrString(spans[0], "user_agent.original"), "curl/8");
  EXPECT_EQ(AttrString(spans[0], "server.address"), "shop.example");
  EXPECT_EQ(AttrString(spans[0], "server.port"), "8080");
  EXPECT_EQ(AttrString(spans[0], "http.route"), "/users/:id");
  EXPECT_EQ(AttrString(spans[0], "error.type"), "500");
}

TEST(ServerSpan, LongRouteStillNamesTheSpan) {
  Fixture f;
  std::string route = "/" + std::string(400, 'r');
  ServerSpan span(f.Request("DELETE", "/x"), f.options);
  span.SetRoute(route);
  span.End(204);
  auto spans = f.tracing.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "DELETE " + route);
  EXPECT_EQ(AttrString(spans[0], "http.route"), route);
}

TEST(ServerSpan, GivenTracerIsUsed) {
  Fixture f;
  TestTracing other;
  { ServerSpan span(f.Request(), f.options, other.provider->GetTracer("callpath.http")); span.End(200); }
  EXPECT_TRUE(f.tracing.Spans().empty());
  ASSERT_EQ(other.Spans().size(), 1u);
  EXPECT_EQ(other.Spans()[0].scope->name, "callpath.http");

  // A no-op tracer: nothing recorded, the incoming trace still propagates.
  f.headers = {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  ServerSpan noop(f.Request(), f.options, Tracer());
  EXPECT_FALSE(noop.span().IsRecording());
  EXPECT_EQ(noop.context().span_context().trace_id().ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  noop.End(200);
  EXPECT_TRUE(f.tracing.Spans().empty());
}

}  // namespace
}  // namespace callpath::http
