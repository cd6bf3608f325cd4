// Three hop-service processes A -> B -> C on 127.0.0.1, over HTTP
// (cpp-httplib and Boost.Beast) and gRPC, exporting to an in-test OTLP
// receiver: one trace end to end, correct parent links, attributes and
// statuses, injected failures, and the thread-pool and message hops.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "harness.h"

namespace callpath::instrumentation {
namespace {

constexpr int kServer = pb::trace::v1::Span::SPAN_KIND_SERVER;
constexpr int kClient = pb::trace::v1::Span::SPAN_KIND_CLIENT;
constexpr int kInternal = pb::trace::v1::Span::SPAN_KIND_INTERNAL;
constexpr int kProducer = pb::trace::v1::Span::SPAN_KIND_PRODUCER;
constexpr int kConsumer = pb::trace::v1::Span::SPAN_KIND_CONSUMER;
constexpr int kError = pb::trace::v1::Status::STATUS_CODE_ERROR;
constexpr int kUnset = pb::trace::v1::Status::STATUS_CODE_UNSET;

struct Reply {
  int status = 0;
  std::string body;
  std::string traceresponse;
};

// GET /hop with an uninstrumented client: A starts the trace.
Reply GetHop(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(120);
  client.set_connection_timeout(30);
  httplib::Result r = client.Get("/hop");
  if (!r) return {};
  return {r->status, r->body, r->get_header_value("traceresponse")};
}

std::string TraceIdOf(const Reply& r) {
  return r.traceresponse.size() == 55 ? r.traceresponse.substr(3, 32) : "";
}

std::string Url(const Process& p) { return "http://127.0.0.1:" + std::to_string(p.Port("http")); }
std::string GrpcUrl(const Process& p) {
  return "grpc://127.0.0.1:" + std::to_string(p.Port("grpc"));
}

// The reply's chain of hops: {service, trace_id, traceparent_received, traceparent_sent}.
struct HopView {
  std::string service, trace_id, span_id, received, sent;
};
std::vector<HopView> Hops(const std::string& body) {
  std::vector<HopView> out;
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(body).get(e)) return out;
  while (e.is_object()) {
    HopView h;
    std::string_view v;
    if (!e["service"].get(v)) h.service = v;
    if (!e["trace_id"].get(v)) h.trace_id = v;
    if (!e["span_id"].get(v)) h.span_id = v;
    if (!e["traceparent_received"].get(v)) h.received = v;
    if (!e["traceparent_sent"].get(v)) h.sent = v;
    out.push_back(h);
    if (e["downstream"].get(e)) break;
  }
  return out;
}

// The common shape of A -> B -> C: five spans (A server+client, B
// server+client, C server), one trace, each server the child of the
// caller's client span.
void ExpectChain(const std::vector<ReceivedSpan>& spans, const std::string& trace) {
  const ReceivedSpan* a_server = Find(spans, "a", kServer);
  const ReceivedSpan* a_client = Find(spans, "a", kClient);
  const ReceivedSpan* b_server = Find(spans, "b", kServer);
  const ReceivedSpan* b_client = Find(spans, "b", kClient);
  const ReceivedSpan* c_server = Find(spans, "c", kServer);
  ASSERT_TRUE(a_server && a_client && b_server && b_client && c_server);
  for (const ReceivedSpan* s : {a_server, a_client, b_server, b_client, c_server}) {
    EXPECT_EQ(s->trace_id(), trace) << s->span.name();
  }
  EXPECT_EQ(a_server->parent_id(), "");  // A started the trace
  EXPECT_EQ(a_client->parent_id(), a_server->span_id());
  EXPECT_EQ(b_server->parent_id(), a_client->span_id());
  EXPECT_EQ(b_client->parent_id(), b_server->span_id());
  EXPECT_EQ(c_server->parent_id(), b_client->span_id());
  // OTLP Span.flags bit 9: the parent is remote exactly for the hops' servers.
  EXPECT_TRUE(b_server->span.flags() & 0x200);
  EXPECT_FALSE(b_client->span.flags() & 0x200);
}

TEST(Chain, HttplibThreeHopsOneTrace) {
  OtlpReceiver receiver;
  auto c = StartHop(receiver, {"--port", "0", "--name", "c"});
  ASSERT_GT(c->Port("http"), 0) << c->first_line();
  auto b = StartHop(receiver, {"--port", "0", "--name", "b", "--next", Url(*c)});
  ASSERT_GT(b->Port("http"), 0);
  auto a = StartHop(receiver, {"--port", "0", "--name", "a", "--next", Url(*b)});
  ASSERT_GT(a->Port("http"), 0);

  Reply r = GetHop(a->Port("http"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string trace = TraceIdOf(r);
  ASSERT_EQ(trace.size(), 32u);
  auto hops = Hops(r.body);
  ASSERT_EQ(hops.size(), 3u);
  EXPECT_EQ(hops[0].service, "a");
  EXPECT_EQ(hops[2].service, "c");
  for (const HopView& h : hops) EXPECT_EQ(h.trace_id, trace);
  EXPECT_EQ(hops[0].received, "");
  EXPECT_EQ(hops[1].received, hops[0].sent);  // what A sent is what B got
  EXPECT_EQ(hops[2].received, hops[1].sent);

  auto spans = receiver.WaitForTrace(trace, 5);
  ASSERT_EQ(spans.size(), 5u);
  ExpectChain(spans, trace);
  const ReceivedSpan* a_server = Find(spans, "a", kServer);
  const ReceivedSpan* b_client = Find(spans, "b", kClient);
  const ReceivedSpan* c_server = Find(spans, "c", kServer);
  EXPECT_EQ(r.traceresponse, "00-" + trace + "-" + a_server->span_id() + "-03");
  EXPECT_EQ(hops[0].span_id, a_server->span_id());
  EXPECT_EQ(hops[1].sent.substr(36, 16), b_client->span_id());
  EXPECT_EQ(c_server->span.name(), "GET /hop");
  EXPECT_EQ(c_server->Attr("http.request.method"), "GET");
  EXPECT_EQ(c_server->Attr("http.route"), "/hop");
  EXPECT_EQ(c_server->Attr("url.path"), "/hop");
  EXPECT_EQ(c_server->Attr("url.scheme"), "http");
  EXPECT_EQ(c_server->Attr("http.response.status_code"), "200");
  EXPECT_EQ(c_server->Attr("server.address"), "127.0.0.1");
  EXPECT_EQ(c_server->Attr("server.port"), std::to_string(c->Port("http")));
  EXPECT_EQ(c_server->Attr("client.address"), "127.0.0.1");
  EXPECT_EQ(c_server->Attr("user_agent.original"), "hop-service/httplib");
  EXPECT_EQ(c_server->Attr("network.protocol.version"), "1.1");
  EXPECT_EQ(b_client->span.name(), "GET");
  EXPECT_EQ(b_client->Attr("url.full"), Url(*c) + "/hop");
  EXPECT_EQ(b_client->Attr("server.port"), std::to_string(c->Port("http")));
  EXPECT_EQ(b_client->Attr("http.response.status_code"), "200");
  for (const auto& s : spans) EXPECT_EQ(s.span.status().code(), kUnset) << s.span.name();
}

TEST(Chain, BeastThreeHopsOneTrace) {
  OtlpReceiver receiver;
  auto c = StartHop(receiver, {"--port", "0", "--name", "c", "--server", "beast"});
  ASSERT_GT(c->Port("http"), 0) << c->first_line();
  auto b = StartHop(receiver,
                    {"--port", "0", "--name", "b", "--server", "beast", "--next", Url(*c)});
  auto a = StartHop(receiver,
                    {"--port", "0", "--name", "a", "--server", "beast", "--next", Url(*b)});
  ASSERT_GT(a->Port("http"), 0);
  Reply r = GetHop(a->Port("http"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string trace = TraceIdOf(r);
  ASSERT_EQ(Hops(r.body).size(), 3u);
  auto spans = receiver.WaitForTrace(trace, 5);
  ASSERT_EQ(spans.size(), 5u);
  ExpectChain(spans, trace);
  const ReceivedSpan* c_server = Find(spans, "c", kServer);
  EXPECT_EQ(c_server->span.name(), "GET /hop");
  EXPECT_EQ(c_server->Attr("user_agent.original"), "hop-service/beast");
  EXPECT_EQ(c_server->Attr("client.address"), "127.0.0.1");
  EXPECT_EQ(Find(spans, "b", kClient)->Attr("http.response.status_code"), "200");
}

TEST(Chain, GrpcThreeHopsOneTrace) {
  OtlpReceiver receiver;
  auto c = StartHop(receiver, {"--port", "0", "--grpc-port", "0", "--name", "c"});
  ASSERT_GT(c->Port("grpc"), 0) << c->first_line();
  auto b = StartHop(receiver,
                    {"--port", "0", "--grpc-port", "0", "--name", "b", "--next", GrpcUrl(*c)});
  ASSERT_GT(b->Port("grpc"), 0);
  auto a = StartHop(receiver, {"--port", "0", "--name", "a", "--next", GrpcUrl(*b)});
  Reply r = GetHop(a->Port("http"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string trace = TraceIdOf(r);
  auto hops = Hops(r.body);
  ASSERT_EQ(hops.size(), 3u);
  EXPECT_EQ(hops[1].received, hops[0].sent);
  auto spans = receiver.WaitForTrace(trace, 5);
  ASSERT_EQ(spans.size(), 5u);
  ExpectChain(spans, trace);
  for (const std::string service : {"b", "c"}) {
    const ReceivedSpan* s = Find(spans, service, kServer);
    EXPECT_EQ(s->span.name(), "callpath.hop.Hop/Call");
    EXPECT_EQ(s->Attr("rpc.system"), "grpc");
    EXPECT_EQ(s->Attr("rpc.service"), "callpath.hop.Hop");
    EXPECT_EQ(s->Attr("rpc.method"), "Call");
    EXPECT_EQ(s->Attr("rpc.grpc.status_code"), "0");
  }
  const ReceivedSpan* a_client = Find(spans, "a", kClient);
  EXPECT_EQ(a_client->span.name(), "callpath.hop.Hop/Call");
  EXPECT_EQ(a_client->Attr("server.address"), "127.0.0.1");
  EXPECT_EQ(a_client->Attr("server.port"), std::to_string(b->Port("grpc")));
}

TEST(Chain, InjectedHttp500IsRecordedAlongThePath) {
  OtlpReceiver receiver;
  auto c = StartHop(receiver, {"--port", "0", "--name", "c", "--fail"});
  auto b = StartHop(receiver, {"--port", "0", "--name", "b", "--next", Url(*c)});
  auto a = StartHop(receiver, {"--port", "0", "--name", "a", "--next", Url(*b)});
  Reply r = GetHop(a->Port("http"));
  EXPECT_EQ(r.status, 502);  // B answered 502, so A's downstream failed
  std::string trace = TraceIdOf(r);
  auto spans = receiver.WaitForTrace(trace, 5);
  ASSERT_EQ(spans.size(), 5u);
  ExpectChain(spans, trace);
  const ReceivedSpan* c_server = Find(spans, "c", kServer);
  const ReceivedSpan* b_client = Find(spans, "b", kClient);
  const ReceivedSpan* b_server = Find(spans, "b", kServer);
  EXPECT_EQ(c_server->Attr("http.response.status_code"), "500");
  EXPECT_EQ(c_server->Attr("error.type"), "500");
  EXPECT_EQ(c_server->span.status().code(), kError);
  EXPECT_EQ(b_client->Attr("error.type"), "500");
  EXPECT_EQ(b_client->span.status().code(), kError);
  EXPECT_EQ(b_server->Attr("http.response.status_code"), "502");
  EXPECT_EQ(b_server->span.status().code(), kError);
}

TEST(Chain, InjectedGrpcUnavailableIsRecorded) {
  OtlpReceiver receiver;
  auto c = StartHop(receiver, {"--port", "0", "--grpc-port", "0", "--name", "c", "--fail"});
  auto b = StartHop(receiver, {"--port", "0", "--name", "b", "--next", GrpcUrl(*c)});
  Reply r = GetHop(b->Port("http"));
  EXPECT_EQ(r.status, 502);
  std::string trace = TraceIdOf(r);
  auto spans = receiver.WaitForTrace(trace, 3);
  ASSERT_EQ(spans.size(), 3u);
  const ReceivedSpan* b_client = Find(spans, "b", kClient);
  const ReceivedSpan* c_server = Find(spans, "c", kServer);
  ASSERT_TRUE(b_client && c_server);
  EXPECT_EQ(c_server->parent_id(), b_client->span_id());
  EXPECT_EQ(b_client->Attr("rpc.grpc.status_code"), "14");
  EXPECT_EQ(b_client->span.status().code(), kError);
  EXPECT_EQ(c_server->Attr("rpc.grpc.status_code"), "14");
  EXPECT_EQ(c_server->span.status().code(), kError);  // UNAVAILABLE is a server error too
}

TEST(Chain, ThreadPoolAndMessageHopsKeepTheTrace) {
  OtlpReceiver receiver;
  auto a = StartHop(receiver, {"--port", "0", "--name", "a", "--async"});
  ASSERT_GT(a->Port("http"), 0);
  Reply r = GetHop(a->Port("http"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string trace = TraceIdOf(r);
  // server, pool task, producer, consumer, the consumer's child
  auto spans = receiver.WaitForTrace(trace, 5);
  ASSERT_EQ(spans.size(), 5u);
  const ReceivedSpan* server = Find(spans, "a", kServer);
  const ReceivedSpan* producer = Find(spans, "a", kProducer);
  const ReceivedSpan* consumer = Find(spans, "a", kConsumer);
  ASSERT_TRUE(server && producer && consumer);
  const ReceivedSpan* pool = nullptr;
  const ReceivedSpan* reserve = nullptr;
  for (const auto& s : spans) {
    if (s.span.name() == "hop.pool-task") pool = &s;
    if (s.span.name() == "inventory.reserve") reserve = &s;
  }
  ASSERT_TRUE(pool && reserve);
  EXPECT_EQ(pool->span.kind(), kInternal);
  EXPECT_EQ(pool->parent_id(), server->span_id());
  EXPECT_EQ(producer->parent_id(), server->span_id());
  EXPECT_EQ(consumer->parent_id(), producer->span_id());
  EXPECT_EQ(reserve->parent_id(), consumer->span_id());
  EXPECT_EQ(producer->span.name(), "send inventory");
  EXPECT_EQ(consumer->span.name(), "process inventory");
  EXPECT_EQ(consumer->Attr("messaging.destination.name"), "inventory");
  EXPECT_NE(r.body.find("\"pool_trace_id\":\"" + trace + "\""), std::string::npos);
  EXPECT_NE(r.body.find("\"message_trace_id\":\"" + trace + "\""), std::string::npos);
}

}  // namespace
}  // namespace callpath::instrumentation
