// The data path's message store and its propagation carrier.
#include "gateway/message.h"

#include <gtest/gtest.h>

namespace callpath::gateway {
namespace {

TEST(GatewayMessage, KeepsRequestLineFieldsAndBody) {
  Message m;
  m.SetRequestLine("POST", "/orders?id=7", 11);
  m.AddField("Host", "shop.local:8080");
  m.AddField("Baggage", "a=1");
  m.AddField("baggage", "b=2");
  m.body() = "{}";
  EXPECT_EQ(m.method(), "POST");
  EXPECT_EQ(m.target(), "/orders?id=7");
  EXPECT_EQ(m.version(), 11);
  ASSERT_EQ(m.field_count(), 3u);
  EXPECT_EQ(m.field_name(0), "Host");
  EXPECT_EQ(m.field_value(0), "shop.local:8080");
  EXPECT_EQ(m.Get("HOST"), "shop.local:8080");
  EXPECT_EQ(m.Get("baggage"), "a=1");  // the first of several
  EXPECT_EQ(m.Count("BAGGAGE"), 2u);
  EXPECT_EQ(m.Get("missing"), "");
  EXPECT_EQ(m.body(), "{}");
}

TEST(GatewayMessage, ClearForgetsEverythingAndDropsLargeBuffers) {
  Message m;
  m.SetStatusLine(503, "Service Unavailable", 10);
  m.AddField("Retry-After", "1");
  m.keep_alive = true;
  m.body().assign(1 << 20, 'x');
  m.Clear();
  EXPECT_EQ(m.status(), 0);
  EXPECT_EQ(m.reason(), "");
  EXPECT_EQ(m.version(), 11);
  EXPECT_EQ(m.field_count(), 0u);
  EXPECT_FALSE(m.keep_alive);
  EXPECT_TRUE(m.body().empty());
  EXPECT_LT(m.body().capacity(), size_t{1} << 20);
  // Views taken after reuse see the new message, not the old one.
  m.SetStatusLine(200, "OK", 11);
  m.AddField("Content-Type", "text/plain");
  EXPECT_EQ(m.reason(), "OK");
  EXPECT_EQ(m.Get("content-type"), "text/plain");
}

TEST(GatewayMessage, CarrierJoinsRepeatedFieldsAndListsKeys) {
  Message m;
  m.SetRequestLine("GET", "/", 11);
  m.AddField("tracestate", "a=1");
  m.AddField("Accept", "*/*");
  m.AddField("TraceState", "b=2");
  MessageCarrier c(m);
  EXPECT_EQ(c.GetJoined("tracestate"), "a=1,b=2");
  EXPECT_EQ(c.Count("tracestate"), 2u);
  EXPECT_EQ(c.Get("accept"), "*/*");
  std::vector<std::string_view> keys = c.Keys();
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[2], "TraceState");
  c.Set("tracestate", "x=1");  // read-only: ignored
  EXPECT_EQ(c.GetJoined("tracestate"), "a=1,b=2");
}

TEST(GatewayMessage, ExtractsTraceContextThroughTheCarrier) {
  Message m;
  m.SetRequestLine("GET", "/", 11);
  m.AddField("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  std::unique_ptr<TextMapPropagator> p = MakePropagators("tracecontext");
  Context ctx = p->Extract(MessageCarrier(m));
  EXPECT_TRUE(ctx.span_context().IsValid());
  EXPECT_EQ(ctx.span_context().trace_id().ToHex(), "0af7651916cd43dd8448eb211c80319c");
}

TEST(GatewayMessage, FieldsNamedInConnectionAreConnectionOptions) {
  Message m;
  m.AddField("Connection", "keep-alive, X-Secret");
  m.AddField("connection", " Upgrade ");
  m.AddField("X-Secret", "1");
  EXPECT_TRUE(m.IsConnectionOption("x-secret"));
  EXPECT_TRUE(m.IsConnectionOption("upgrade"));
  EXPECT_FALSE(m.IsConnectionOption("x-other"));
  EXPECT_FALSE(m.IsConnectionOption("x-secre"));
}

TEST(GatewayMessage, OnlyOneChunkedIsAnAcceptableTransferEncoding) {
  auto with = [](std::initializer_list<const char*> values) {
    Message m;
    for (const char* v : values) m.AddField("Transfer-Encoding", v);
    return m.HasAcceptableTransferEncoding();
  };
  EXPECT_TRUE(with({}));
  EXPECT_TRUE(with({"chunked"}));
  EXPECT_TRUE(with({"CHUNKED"}));
  EXPECT_FALSE(with({"xchunked"}));
  EXPECT_FALSE(with({"chunked, identity"}));
  EXPECT_FALSE(with({"chunked", "chunked"}));
  EXPECT_FALSE(with({""}));
}

}  // namespace
}  // namespace callpath::gateway
