// A real cpp-httplib server and client on 127.0.0.1.
#include "callpath/http/httplib.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "http/test_tracing.h"

namespace callpath::http {
namespace {

using testing::AttrString;
using testing::FindSpan;
using testing::TestTracing;

class HttplibTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_options_.provider = tracing_.provider;
    server_options_.propagator = &w3c_;
    server_options_.access_log_hook = [this](const AccessLogEntry& e) {
      std::lock_guard<std::mutex> lock(mu_);
      logged_trace_ids_.push_back(Context::Current().span_context().trace_id().ToHex());
      logged_status_.push_back(e.status_code);
    };
    client_options_.provider = tracing_.provider;
    client_options_.propagator = &w3c_;
    server_ = std::make_unique<TracedServer>(server_options_);
  }
  void Start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string Base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  TestTracing tracing_;
  W3CTraceContextPropagator w3c_;
  ServerOptions server_options_;
  ClientOptions client_options_;
  std::unique_ptr<TracedServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::string> logged_trace_ids_;
  std::vector<int> logged_status_;
};

TEST_F(HttplibTest, ClientAndServerSpansShareTheTrace) {
  std::string handler_trace;
  server_->Get(R"(/items/(\d+))", [&](const httplib::Request&, httplib::Response& res) {
    handler_trace = Context::Current().span_context().trace_id().ToHex();
    res.set_content("{}", "application/json");
  });
  Start();
  TracedClient client(Base(), client_options_);
  httplib::Result r = client.Get("/items/7?verbose=1", {{"User-Agent", "unit-test"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  auto spans = tracing_.WaitForSpans(2);
  ASSERT_EQ(spans.size(), 2u);
  const SpanData* server = FindSpan(spans, SpanKind::kServer);
  const SpanData* client_span = FindSpan(spans, SpanKind::kClient);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(client_span, nullptr);
  EXPECT_EQ(server->context.trace_id(), client_span->context.trace_id());
  EXPECT_EQ(server->parent_span_id, client_span->context.span_id());
  EXPECT_EQ(handler_trace, server->context.trace_id().ToHex());
  EXPECT_EQ(server->name, R"(GET /items/(\d+))");
  EXPECT_EQ(AttrString(*server, "http.route"), R"(/items/(\d+))");
  EXPECT_EQ(AttrString(*server, "url.path"), "/items/7");
  EXPECT_EQ(AttrString(*server, "url.query"), "verbose=1");
  EXPECT_EQ(AttrString(*server, "client.address"), "127.0.0.1");
  EXPECT_EQ(AttrString(*server, "server.port"), std::to_string(port_));
  EXPECT_EQ(AttrString(*server, "user_agent.original"), "unit-test");
  EXPECT_EQ(AttrString(*server, "network.protocol.version"), "1.1");
  EXPECT_EQ(AttrString(*server, "http.response.status_code"), "200");
  EXPECT_EQ(client_span->name, "GET");
  EXPECT_EQ(AttrString(*client_span, "url.full"), Base() + "/items/7?verbose=1");
  EXPECT_EQ(AttrString(*client_span, "server.address"), "127.0.0.1");
  EXPECT_EQ(AttrString(*client_span, "server.port"), std::to_string(port_));
  EXPECT_EQ(AttrString(*client_span, "http.response.status_code"), "200");

  EXPECT_EQ(r->get_header_value("traceresponse"), FormatTraceresponse(server->context));
  EXPECT_EQ(r->get_header_value("X-Trace-ID"), server->context.trace_id().ToHex());
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(logged_trace_ids_.size(), 1u);
  EXPECT_EQ(logged_trace_ids_[0], server->context.trace_id().ToHex());
  EXPECT_EQ(logged_status_[0], 200);
}

TEST_F(HttplibTest, HandlerExceptionIsRecordedAndAnswered500) {
  server_->Get("/boom", [](const httplib::Request&, httplib::Response&) {
    throw std::logic_error("bad state");
  });
  Start();
  TracedClient client(Base(), client_options_);
  httplib::Result r = client.Get("/boom");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  auto spans = tracing_.WaitForSpans(2);
  const SpanData* server = FindSpan(spans, SpanKind::kServer);
  const SpanData* client_span = FindSpan(spans, SpanKind::kClient);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(client_span, nullptr);
  EXPECT_EQ(server->status_code, SpanStatusCode::kError);
  ASSERT_EQ(server->events.size(), 1u);
  EXPECT_EQ(server->events[0].name, "exception");
  EXPECT_EQ(AttrString(*server, "error.type"), "std::logic_error");
  EXPECT_EQ(AttrString(*server, "http.response.status_code"), "500");
  EXPECT_EQ(client_span->status_code, SpanStatusCode::kError);
  EXPECT_EQ(AttrString(*client_span, "error.type"), "500");
}

TEST_F(HttplibTest, NotFoundIsUnsetOnServerErrorOnClient) {
  Start();
  TracedClient client(Base(), client_options_);
  httplib::Result r = client.Get("/nowhere");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  auto spans = tracing_.WaitForSpans(2);
  const SpanData* server = FindSpan(spans, SpanKind::kServer);
  const SpanData* client_span = FindSpan(spans, SpanKind::kClient);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(client_span, nullptr);
  EXPECT_EQ(server->name, "GET");  // no route matched
  EXPECT_EQ(AttrString(*server, "http.route"), "<absent>");
  EXPECT_EQ(server->status_code, SpanStatusCode::kUnset);
  EXPECT_EQ(client_span->status_code, SpanStatusCode::kError);
  EXPECT_EQ(AttrString(*client_span, "error.type"), "404");
}

TEST_F(HttplibTest, UserHooksRunInsideTheSpan) {
  std::string pre_trace, post_trace;
  server_->set_pre_routing_handler([&](const httplib::Request&, httplib::Response&) {
    pre_trace = Context::Current().span_context().trace_id().ToHex();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->set_post_routing_handler([&](const httplib::Request&, httplib::Response& res) {
    post_trace = Context::Current().span_context().trace_id().ToHex();
    res.set_header("X-Post", "1");
  });
  server_->Post("/orders", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 201;
    res.set_content(req.body, "text/plain");
  });
  Start();
  TracedClient client(Base(), client_options_);
  httplib::Result r = client.Post("/orders", "hello", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->get_header_value("X-Post"), "1");
  auto spans = tracing_.WaitForSpans(2);
  const SpanData* server = FindSpan(spans, SpanKind::kServer);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(pre_trace, server->context.trace_id().ToHex());
  EXPECT_EQ(post_trace, server->context.trace_id().ToHex());
  EXPECT_EQ(server->name, "POST /orders");
}

TEST_F(HttplibTest, PlainServerInstrumentedWithRoute) {
  httplib::Server plain;
  Instrument(plain, server_options_);
  plain.Get("/a", Route("/a", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("a", "text/plain");
  }));
  int port = plain.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread t([&] { plain.listen_after_bind(); });
  while (!plain.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  httplib::Client raw("127.0.0.1", port);  // uninstrumented caller: a new trace
  httplib::Result r = raw.Get("/a");
  plain.stop();
  t.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("traceresponse").size(), 55u);
  auto spans = tracing_.WaitForSpans(1);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "GET /a");
  EXPECT_FALSE(spans[0].parent_span_id.IsValid());
}

TEST_F(HttplibTest, ConnectionFailureIsClientError) {
  Start();
  int dead_port = port_;
  server_->stop();
  thread_.join();
  TracedClient client("http://127.0.0.1:" + std::to_string(dead_port), client_options_);
  client.client().set_connection_timeout(5);
  httplib::Result r = client.Get("/x");
  EXPECT_FALSE(r);
  auto spans = tracing_.WaitForSpans(1);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, SpanKind::kClient);
  EXPECT_EQ(spans[0].status_code, SpanStatusCode::kError);
  EXPECT_EQ(AttrString(spans[0], "error.type"), "connection_failed");
}

TEST_F(HttplibTest, ResponseHeaderNamesAreConfigurable) {
  // A name httplib's set_header would refuse (CR/LF) is dropped the same way.
  for (const char* name : {"X-Request-Trace", "X-Bad\r\nInjected: 1"}) {
    TearDown();
    server_options_.trace_id_header = name;
    server_options_.traceresponse_header = false;
    server_ = std::make_unique<TracedServer>(server_options_);
    server_->Get("/t", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("t", "text/plain");
    });
    Start();
    httplib::Client raw("127.0.0.1", port_);
    httplib::Result r = raw.Get("/t");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->has_header("traceresponse"));
    EXPECT_FALSE(r->has_header("Injected"));
    if (std::string_view(name) == "X-Request-Trace") {
      EXPECT_EQ(r->get_header_value("X-Request-Trace").size(), 32u);
    } else {
      EXPECT_FALSE(r->has_header("X-Request-Trace"));
    }
  }
}

}  // namespace
}  // namespace callpath::http
