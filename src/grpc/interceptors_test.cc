// A real synchronous gRPC server and a traced channel on 127.0.0.1.
#include "callpath/grpc/interceptors.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "grpc/rpc_names.h"
#include "hop.grpc.pb.h"
#include "http/test_tracing.h"

namespace callpath::grpc {
namespace {

using testing::AttrString;
using testing::FindSpan;
using testing::TestTracing;

// Answers according to the request note: "ok", "unavailable", "not_found".
// Records what the handler thread sees as the current context.
class HopService final : public callpath::hop::Hop::Service {
 public:
  ::grpc::Status Call(::grpc::ServerContext* ctx, const callpath::hop::HopRequest* req,
                      callpath::hop::HopReply* reply) override {
    std::lock_guard<std::mutex> lock(mu);
    handler_context = Context::Current();
    registry_context = ServerCallContext(ctx);
    reply->set_json("{}");
    if (req->note() == "unavailable") return {::grpc::StatusCode::UNAVAILABLE, "down"};
    if (req->note() == "not_found") return {::grpc::StatusCode::NOT_FOUND, "no such hop"};
    return ::grpc::Status::OK;
  }
  std::mutex mu;
  Context handler_context;
  Context registry_context;
};

class GrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", ::grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    EnableServerTracing(builder, {.provider = tracing_.provider, .propagator = &w3c_});
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    target_ = "127.0.0.1:" + std::to_string(port_);
    stub_ = callpath::hop::Hop::NewStub(CreateTracedChannel(
        target_, ::grpc::InsecureChannelCredentials(),
        {.provider = tracing_.provider, .propagator = &w3c_}));
  }
  void TearDown() override { server_->Shutdown(); }

  ::grpc::Status Call(const std::string& note) {
    ::grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    callpath::hop::HopRequest req;
    req.set_note(note);
    callpath::hop::HopReply reply;
    return stub_->Call(&ctx, req, &reply);
  }

  TestTracing tracing_;
  W3CTraceContextPropagator w3c_;
  HopService service_;
  std::unique_ptr<::grpc::Server> server_;
  std::unique_ptr<callpath::hop::Hop::Stub> stub_;
  std::string target_;
  int port_ = 0;
};

TEST_F(GrpcTest, ClientAndServerSpansShareTraceAndHandlerRunsInServerSpan) {
  Span parent = tracing_.provider->GetTracer("t").StartSpan("parent");
  {
    Scope scope = parent.Activate();
    ASSERT_TRUE(Call("ok").ok());
  }
  parent.End();
  auto spans = tracing_.WaitForSpans(3);
  const SpanData* server = FindSpan(spans, SpanKind::kServer);
  const SpanData* client = FindSpan(spans, SpanKind::kClient);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->name, "callpath.hop.Hop/Call");
  EXPECT_EQ(server->name, "callpath.hop.Hop/Call");
  EXPECT_EQ(client->parent_span_id, parent.context().span_id());
  EXPECT_EQ(server->context.trace_id(), parent.context().trace_id());
  EXPECT_EQ(server->parent_span_id, client->context.span_id());
  EXPECT_TRUE(server->parent_is_remote);
  for (const SpanData* s : {server, client}) {
    EXPECT_EQ(AttrString(*s, "rpc.system"), "grpc");
    EXPECT_EQ(AttrString(*s, "rpc.service"), "callpath.hop.Hop");
    EXPECT_EQ(AttrString(*s, "rpc.method"), "Call");
    EXPECT_EQ(AttrString(*s, "rpc.grpc.status_code"), "0");
    EXPECT_EQ(s->status_code, SpanStatusCode::kUnset);
  }
  EXPECT_EQ(AttrString(*client, "server.address"), "127.0.0.1");
  EXPECT_EQ(AttrString(*client, "server.port"), std::to_string(port_));

  std::lock_guard<std::mutex> lock(service_.mu);
  EXPECT_EQ(service_.handler_context.span_context().span_id(), server->context.span_id());
  EXPECT_EQ(service_.registry_context.span_context().span_id(), server->context.span_id());
}

TEST_F(GrpcTest, UnavailableIsErrorOnBothSides) {
  EXPECT_EQ(Call("unavailable").error_code(), ::grpc::StatusCode::UNAVAILABLE);
  auto spans = tracing_.WaitForSpans(2);
  const SpanData* server = FindSpan(spans, SpanKind::kServer);
  const SpanData* client = FindSpan(spans, SpanKind::kClient);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(AttrString(*server, "rpc.grpc.status_code"), "14");
  EXPECT_EQ(server->status_code, SpanStatusCode::kError);
  EXPECT_EQ(client->status_code, SpanStatusCode::kError);
  EXPECT_EQ(client->status_message, "down");
}

TEST_F(GrpcTest, NotFoundIsErrorOnlyOnTheClient) {
  EXPECT_EQ(Call("not_found").error_code(), ::grpc::StatusCode::NOT_FOUND);
  auto spans = tracing_.WaitForSpans(2);
  const SpanData* server = FindSpan(spans, SpanKind::kServer);
  const SpanData* client = FindSpan(spans, SpanKind::kClient);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(AttrString(*server, "rpc.grpc.status_code"), "5");
  EXPECT_EQ(server->status_code, SpanStatusCode::kUnset);
  EXPECT_EQ(client->status_code, SpanStatusCode::kError);
}

TEST_F(GrpcTest, HandlerThreadContextIsRestoredAfterTheCall) {
  ASSERT_TRUE(Call("ok").ok());
  // The next call on a (possibly reused) handler thread starts a new trace:
  // the previous call's span did not stay current there.
  ASSERT_TRUE(Call("ok").ok());
  auto spans = tracing_.WaitForSpans(4);
  std::vector<const SpanData*> servers;
  for (const SpanData& s : spans) {
    if (s.kind == SpanKind::kServer) servers.push_back(&s);
  }
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_NE(servers[0]->context.trace_id(), servers[1]->context.trace_id());
  EXPECT_FALSE(ServerCallContext(nullptr).span_context().IsValid());
}

TEST(GrpcClient, DeadServerGivesUnavailableClientSpan) {
  TestTracing tracing;
  // A port that was just free: nothing listens there.
  int port = 0;
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    close(fd);
  }
  auto stub = callpath::hop::Hop::NewStub(CreateTracedChannel(
      "127.0.0.1:" + std::to_string(port), ::grpc::InsecureChannelCredentials(),
      {.provider = tracing.provider}));
  ::grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  callpath::hop::HopReply reply;
  ::grpc::Status st = stub->Call(&ctx, {}, &reply);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAVAILABLE);
  auto spans = tracing.WaitForSpans(1);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].status_code, SpanStatusCode::kError);
  EXPECT_EQ(AttrString(spans[0], "rpc.grpc.status_code"), "14");
}

TEST(RpcNames, SplitsAndParsesTargets) {
  std::string_view service, method;
  EXPECT_TRUE(SplitFullMethod("/a.b.Svc/Do", &service, &method));
  EXPECT_EQ(service, "a.b.Svc");
  EXPECT_EQ(method, "Do");
  EXPECT_FALSE(SplitFullMethod("nope", &service, &method));
  EXPECT_FALSE(SplitFullMethod("/a/b/c", &service, &method));
  std::string host;
  int port;
  detail::ParseTarget("dns:///inventory:50051", &host, &port);
  EXPECT_EQ(host, "inventory");
  EXPECT_EQ(port, 50051);
  detail::ParseTarget("ipv4:10.0.0.1:7,10.0.0.2:7", &host, &port);
  EXPECT_EQ(host, "10.0.0.1");
  EXPECT_EQ(port, 7);
  detail::ParseTarget("[::1]:9", &host, &port);
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9);
  detail::ParseTarget("unix:/tmp/s", &host, &port);
  EXPECT_EQ(host, "/tmp/s");
  EXPECT_EQ(port, -1);
  EXPECT_TRUE(IsServerError(::grpc::StatusCode::DATA_LOSS));
  EXPECT_FALSE(IsServerError(::grpc::StatusCode::UNAUTHENTICATED));
}

}  // namespace
}  // namespace callpath::grpc
