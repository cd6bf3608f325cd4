// End-to-end tests of callpath-gateway: the real binary between a test
// client and real upstream processes, its spans collected over OTLP/HTTP.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>
#include <regex>

#include "gateway_fixture.h"

namespace gateway_test {
namespace {

TEST_F(GatewayTest, ProxiesAndReusesUpstreamConnections) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));

  httplib::Client client("127.0.0.1", port_);  // one keep-alive connection
  client.set_keep_alive(true);
  auto first = client.Get("/api/items?id=7");
  auto second = client.Get("/api/items?id=8");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(JsonField(first->body, "name"), "a");
  EXPECT_EQ(JsonField(first->body, "target"), "/api/items?id=7");
  // The same upstream connection (same source port) carried both requests.
  EXPECT_EQ(JsonField(first->body, "remote_port"), JsonField(second->body, "remote_port"));
  EXPECT_EQ(JsonField(first->body, "x-forwarded-for"), "127.0.0.1");
  EXPECT_EQ(JsonField(first->body, "x-forwarded-proto"), "http");
  EXPECT_EQ(JsonField(first->body, "x-forwarded-host"), "127.0.0.1:" + std::to_string(port_));
}

// The upstream closes a keep-alive connection after a second idle; the
// gateway must not write the next request (a POST, which it may not send
// twice) into that closed connection but open a new one.
TEST_F(GatewayTest, DoesNotReuseAPooledConnectionTheUpstreamClosed) {
  const int up = StartUpstream("a", {"--keep-alive-seconds", "1"});
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));

  httplib::Client client("127.0.0.1", port_);
  auto first = client.Post("/api/orders", "{\"n\":1}", "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  // Past the upstream's idle timeout: it has closed its end of the pooled
  // connection by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto second = client.Post("/api/orders", "{\"n\":2}", "application/json");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_NE(JsonField(first->body, "remote_port"), JsonField(second->body, "remote_port"));
}

TEST_F(GatewayTest, ContinuesTheIncomingTraceOfATrustedClient) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config("edge: {trusted_clients: [127.0.0.0/8]}\n" + OneRoute(up))));
  const std::string trace = "0af7651916cd43dd8448eb211c80319c";
  const std::string caller_span = "b7ad6b7169203331";

  HttpResult r = HttpGet(port_, "/api/orders/1",
                         {{"traceparent", "00-" + trace + "-" + caller_span + "-01"},
                          {"baggage", "tenant=acme"},
                          {"User-Agent", "gateway-test/1"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["x-trace-id"], trace);
  ASSERT_TRUE(std::regex_match(r.headers["traceresponse"],
                               std::regex("00-" + trace + "-[0-9a-f]{16}-01")))
      << r.headers["traceresponse"];
  const std::string server_span_id = r.headers["traceresponse"].substr(36, 16);

  // The upstream saw the trace, parented on a span that is not the caller's.
  const std::string upstream_tp = JsonField(r.body, "traceparent");
  ASSERT_TRUE(std::regex_match(upstream_tp, std::regex("00-" + trace + "-[0-9a-f]{16}-01")))
      << upstream_tp;
  const std::string upstream_parent = upstream_tp.substr(36, 16);
  EXPECT_NE(upstream_parent, caller_span);
  EXPECT_NE(upstream_parent, server_span_id);
  EXPECT_NE(JsonField(r.body, "baggage").find("tenant=acme"), std::string::npos);

  std::vector<CollectedSpan> spans = AwaitSpans(trace, 2);
  const CollectedSpan* server = Find(spans, 2);
  const CollectedSpan* client = Find(spans, 3);
  ASSERT_TRUE(server && client) << spans.size() << " spans";
  EXPECT_EQ(server->span_id, server_span_id);
  EXPECT_EQ(server->parent_span_id, caller_span);
  EXPECT_EQ(server->service_name, "edge-gateway");
  EXPECT_EQ(server->name, "GET /api");
  EXPECT_EQ(client->span_id, upstream_parent);  // traceparent carried the CLIENT span
  EXPECT_EQ(client->parent_span_id, server->span_id);

  EXPECT_EQ(server->attributes.at("http.request.method"), "GET");
  EXPECT_EQ(server->attributes.at("url.path"), "/api/orders/1");
  EXPECT_EQ(server->attributes.at("url.scheme"), "http");
  EXPECT_EQ(server->attributes.at("http.route"), "/api");
  EXPECT_EQ(server->attributes.at("server.address"), "127.0.0.1");
  EXPECT_EQ(server->attributes.at("server.port"), std::to_string(port_));
  EXPECT_EQ(server->attributes.at("client.address"), "127.0.0.1");
  EXPECT_EQ(server->attributes.at("user_agent.original"), "gateway-test/1");
  EXPECT_EQ(server->attributes.at("http.response.status_code"), "200");
  EXPECT_EQ(server->attributes.count("error.type"), 0u);
  EXPECT_EQ(client->attributes.at("server.port"), std::to_string(up));
  EXPECT_EQ(client->attributes.at("http.response.status_code"), "200");
  EXPECT_EQ(client->attributes.count("http.request.resend_count"), 0u);

  // One JSON access-log line for the request, with its ids.
  EXPECT_TRUE(WaitUntil([&] {
    return ReadFile(dir_ + "/access.log").find("\"trace_id\":\"" + trace + "\"") !=
           std::string::npos;
  }));
  const std::string log = ReadFile(dir_ + "/access.log");
  const size_t line_start = log.rfind('\n', log.find(trace)) + 1;
  const std::string line = log.substr(line_start, log.find('\n', line_start) - line_start);
  EXPECT_EQ(JsonField(line, "span_id"), server_span_id) << line;
  EXPECT_EQ(JsonField(line, "status"), "200") << line;
  EXPECT_EQ(JsonField(line, "upstream"), "main") << line;
  EXPECT_EQ(JsonField(line, "attempts"), "1") << line;
  EXPECT_EQ(JsonField(line, "method"), "GET") << line;
}

TEST_F(GatewayTest, StartsANewTraceWithoutTraceparent) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));
  HttpResult r = HttpGet(port_, "/api/x");
  ASSERT_EQ(r.status, 200);
  const std::string trace = r.headers["x-trace-id"];
  ASSERT_TRUE(std::regex_match(trace, std::regex("[0-9a-f]{32}"))) << trace;
  EXPECT_NE(trace, std::string(32, '0'));
  EXPECT_EQ(r.headers["traceresponse"].substr(0, 36), "00-" + trace + "-");
  EXPECT_EQ(JsonField(r.body, "traceparent").substr(0, 36), "00-" + trace + "-");
  std::vector<CollectedSpan> spans = AwaitSpans(trace, 2);
  const CollectedSpan* server = Find(spans, 2);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->parent_span_id, "");
}

TEST_F(GatewayTest, RetriesOn503AsSeparateClientSpans) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));
  HttpResult r = HttpGet(port_, "/api/flaky/once");
  ASSERT_EQ(r.status, 200);  // the second attempt succeeded
  const std::string trace = r.headers["x-trace-id"];
  std::vector<CollectedSpan> spans = AwaitSpans(trace, 3);
  const CollectedSpan* server = Find(spans, 2);
  ASSERT_NE(server, nullptr);
  std::vector<const CollectedSpan*> clients;
  for (const auto& s : spans) {
    if (s.kind == 3) clients.push_back(&s);
  }
  ASSERT_EQ(clients.size(), 2u);
  const CollectedSpan* failed = clients[0]->attributes.count("http.request.resend_count")
                                    ? clients[1] : clients[0];
  const CollectedSpan* resent = failed == clients[0] ? clients[1] : clients[0];
  EXPECT_EQ(failed->attributes.at("http.response.status_code"), "503");
  EXPECT_EQ(failed->status_code, 2);
  EXPECT_EQ(resent->attributes.at("http.request.resend_count"), "1");
  EXPECT_EQ(resent->attributes.at("http.response.status_code"), "200");
  EXPECT_EQ(failed->parent_span_id, server->span_id);
  EXPECT_EQ(resent->parent_span_id, server->span_id);
  EXPECT_NE(server->status_code, 2);

  EXPECT_NE(Metrics().find("callpath_gateway_upstream_retries_total{upstream=\"main\"} 1"),
            std::string::npos);
  EXPECT_TRUE(WaitUntil([&] {
    return ReadFile(dir_ + "/access.log").find(trace) != std::string::npos;
  }));
  const std::string log = ReadFile(dir_ + "/access.log");
  const size_t line_start = log.rfind('\n', log.find(trace)) + 1;
  EXPECT_EQ(JsonField(log.substr(line_start), "attempts"), "2");
}

TEST_F(GatewayTest, TimeoutAnswers504WithTraceId) {
  const int up = StartUpstream("a");
  const std::string slow_route =
      "  - match: {path_prefix: /slow}\n"
      "    upstream: main\n"
      "    timeout: 300ms\n";
  ASSERT_TRUE(StartGateway(Config(OneRoute(up, slow_route))));
  HttpResult r = HttpGet(port_, "/slow/sleep/3000");
  ASSERT_EQ(r.status, 504);
  const std::string trace = r.headers["x-trace-id"];
  EXPECT_EQ(JsonField(r.body, "trace_id"), trace);
  EXPECT_FALSE(JsonField(r.body, "error").empty());
  EXPECT_EQ(r.headers["content-type"], "application/json");
  std::vector<CollectedSpan> spans = AwaitSpans(trace, 2);
  const CollectedSpan* server = Find(spans, 2);
  const CollectedSpan* client = Find(spans, 3);
  ASSERT_TRUE(server && client);
  EXPECT_EQ(server->status_code, 2);
  EXPECT_EQ(server->attributes.at("http.response.status_code"), "504");
  EXPECT_EQ(server->attributes.at("error.type"), "timeout");
  EXPECT_EQ(client->attributes.at("error.type"), "timeout");
  EXPECT_EQ(client->status_code, 2);
}

TEST_F(GatewayTest, ReframesAChunkedRequestAndDropsConnectionFields) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));
  bool closed = false;
  const std::string reply = RawExchange(
      port_,
      "POST /api/echo?x=1 HTTP/1.1\r\nHost: shop.local\r\nX-Custom: kept\r\n"
      "X-Forwarded-For: 10.0.0.9\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
      &closed);
  EXPECT_TRUE(closed);  // the client asked for Connection: close
  ASSERT_EQ(reply.rfind("HTTP/1.1 200 ", 0), 0u) << reply;
  const size_t head_end = reply.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const std::string head = reply.substr(0, head_end + 2);
  const std::string body = reply.substr(head_end + 4);
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"),
            std::string::npos) << head;
  EXPECT_NE(head.find("\r\ntraceresponse: 00-"), std::string::npos) << head;
  // What the upstream received.
  EXPECT_EQ(JsonField(body, "method"), "POST");
  EXPECT_EQ(JsonField(body, "target"), "/api/echo?x=1");
  EXPECT_EQ(JsonField(body, "body"), "abcde");
  EXPECT_EQ(JsonField(body, "content-length"), "5");
  EXPECT_EQ(JsonField(body, "x-custom"), "kept");
  EXPECT_EQ(JsonField(body, "x-forwarded-for"), "10.0.0.9, 127.0.0.1");
  EXPECT_EQ(JsonField(body, "x-forwarded-host"), "shop.local");
  EXPECT_EQ(JsonField(body, "x-forwarded-proto"), "http");
  EXPECT_EQ(JsonField(body, "transfer-encoding"), "");
  EXPECT_EQ(JsonField(body, "keep-alive"), "");
  EXPECT_EQ(JsonField(body, "traceparent").size(), 55u);
}

TEST_F(GatewayTest, DropsFieldsNamedInConnectionAndRefusesOddTransferCodings) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));
  bool closed = false;
  std::string reply = RawExchange(port_,
                                  "GET /api/echo HTTP/1.1\r\nHost: shop.local\r\nX-Hop-Secret: s\r\n"
                                  "X-Custom: kept\r\nConnection: close, X-Hop-Secret\r\n\r\n",
                                  &closed);
  ASSERT_EQ(reply.rfind("HTTP/1.1 200 ", 0), 0u) << reply;
  const std::string body = reply.substr(reply.find("\r\n\r\n") + 4);
  EXPECT_EQ(JsonField(body, "x-hop-secret"), "");
  EXPECT_EQ(JsonField(body, "x-custom"), "kept");

  for (const char* te : {"xchunked", "chunked, identity"}) {
    closed = false;
    reply = RawExchange(port_,
                        std::string("POST /api/echo HTTP/1.1\r\nHost: shop.local\r\nTransfer-Encoding: ") + te +
                            "\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                        &closed);
    EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << te << ": " << reply;
    EXPECT_TRUE(closed) << te;
  }
}

uint64_t MemoryOf(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

// 32 clients hold 8 MiB request bodies open at once (256 MiB if all were
// buffered) against a 32 MiB request bytes budget: most get 503 +
// Retry-After before their body is read, peak memory stays near the budget,
// and the memory of the admitted bodies is given back after the burst.
TEST_F(GatewayTest, ConcurrentLargeBodiesStayWithinTheBudgetAndMemoryIsReturned) {
  constexpr size_t kBody = 8 << 20;
  constexpr int kClients = 32;
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config("max_body_bytes: 16777216\nmax_inflight_bytes: 33554432\n" + OneRoute(up))));
  const uint64_t rss_before = MemoryOf(gateway_->pid(), "VmRSS");
  const std::string head = "POST /api/echo HTTP/1.1\r\nHost: shop.local\r\nConnection: close\r\n"
                           "Content-Length: " + std::to_string(kBody) + "\r\n\r\n";
  const std::string almost(kBody - 1, 'b');
  std::vector<int> fds(kClients, -1);
  std::vector<std::string> replies(kClients);
  for (int& fd : fds) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  auto send_all = [](int fd, const std::string& bytes) {
    for (size_t off = 0; off < bytes.size();) {
      const ssize_t n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;  // refused: the gateway answered and closed
      off += static_cast<size_t>(n);
    }
  };
  std::vector<std::thread> senders;
  for (int fd : fds) senders.emplace_back([&, fd] { send_all(fd, head), send_all(fd, almost); });
  for (auto& t : senders) t.join();
  const uint64_t peak = MemoryOf(gateway_->pid(), "VmHWM");
  int refused = 0, proxied = 0;
  for (int i = 0; i < kClients; ++i) {
    send_all(fds[i], "b");
    char buf[65536];
    for (ssize_t n; (n = recv(fds[i], buf, sizeof buf, 0)) > 0;) replies[i].append(buf, static_cast<size_t>(n));
    close(fds[i]);
    if (replies[i].rfind("HTTP/1.1 503 ", 0) == 0) {
      ++refused;
      EXPECT_NE(replies[i].find("\r\nRetry-After: 1\r\n"), std::string::npos) << replies[i].substr(0, 300);
    } else {
      EXPECT_EQ(replies[i].rfind("HTTP/1.1 200 ", 0), 0u) << replies[i].substr(0, 300);
      ++proxied;
    }
  }
  EXPECT_GE(refused, kClients - 4);
  EXPECT_GE(proxied, 1);
  // Budget, the admitted requests' responses (the upstream echoes the
  // body) and a constant; 256 MiB of request bodies do not fit.
  EXPECT_LT(peak, rss_before + (128u << 20)) << "VmHWM " << (peak >> 20) << " MiB";
  EXPECT_LT(MemoryOf(gateway_->pid(), "VmRSS"), rss_before + (24u << 20)) << "memory kept after the burst";
  EXPECT_NE(Metrics().find("callpath_gateway_overloaded_total " + std::to_string(refused) + "\n"),
            std::string::npos);
}

TEST_F(GatewayTest, ClosesAClientConnectionIdlePastTheIdleTimeout) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config("client_idle_timeout: 200ms\n" + OneRoute(up))));
  bool closed = false;
  // Keep-alive request: the gateway answers, then closes the idle
  // connection itself once the timeout passes (the client never does).
  const std::string reply =
      RawExchange(port_, "GET /api/hello HTTP/1.1\r\nHost: a\r\n\r\n", &closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 ", 0), 0u) << reply;
  EXPECT_EQ(reply.find("Connection: close"), std::string::npos) << reply;
  EXPECT_TRUE(closed);
}

TEST_F(GatewayTest, UnknownRouteIs404) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));
  HttpResult r = HttpGet(port_, "/apix");  // not on a segment boundary of /api
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(JsonField(r.body, "trace_id"), r.headers["x-trace-id"]);
}

TEST_F(GatewayTest, SkipsAnUnhealthyEndpoint) {
  const int up = StartUpstream("a");
  const int dead = DeadPort();
  ASSERT_TRUE(StartGateway(Config(
      "routes:\n"
      "  - match: {path_prefix: /api}\n"
      "    upstream: main\n"
      "upstreams:\n"
      "  main:\n"
      "    endpoints: [127.0.0.1:" + std::to_string(up) + ", 127.0.0.1:" + std::to_string(dead) +
      "]\n"
      "    health_check: {path: /healthz, interval: 100ms, timeout: 1s, unhealthy_after: 1}\n")));
  const std::string down = "callpath_gateway_upstream_healthy{upstream=\"main\",endpoint=\"127.0.0.1:" +
                           std::to_string(dead) + "\"} 0";
  const std::string live = "callpath_gateway_upstream_healthy{upstream=\"main\",endpoint=\"127.0.0.1:" +
                           std::to_string(up) + "\"} 1";
  ASSERT_TRUE(WaitUntil([&] { return Metrics().find(down) != std::string::npos; })) << Metrics();
  EXPECT_NE(Metrics().find(live), std::string::npos);
  for (int i = 0; i < 6; ++i) {
    HttpResult r = HttpGet(port_, "/api/n" + std::to_string(i));
    EXPECT_EQ(r.status, 200) << r.body;  // no retries on this route: a dead pick would be a 502
  }
  EXPECT_EQ(Metrics().find("outcome=\"connect_failure\""), std::string::npos);
}

TEST_F(GatewayTest, SighupReloadsAndRejectsABadConfig) {
  const int a = StartUpstream("a");
  const int b = StartUpstream("b");
  ASSERT_TRUE(StartGateway(Config(OneRoute(a))));
  // A kept-alive client connection, idle across the reload, sees the new
  // config on its next request.
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  auto name_via_client = [&](const std::string& target) {
    auto res = client.Get(target);
    return res ? JsonField(res->body, "name") : std::string("(no response)");
  };
  EXPECT_EQ(name_via_client("/api/1"), "a");

  WriteFile(config_path_, Config("routes:\n"
                                 "  - match: {path_prefix: /api}\n"
                                 "    upstream: second\n"
                                 "upstreams:\n"
                                 "  second:\n"
                                 "    endpoints: [127.0.0.1:" + std::to_string(b) + "]\n"));
  gateway_->Signal(SIGHUP);
  EXPECT_TRUE(WaitUntil([&] { return name_via_client("/api/2") == "b"; }));

  WriteFile(config_path_, Config("routes:\n  - match: {path_prefix: /api}\n    upstream: nope\n"));
  gateway_->Signal(SIGHUP);
  EXPECT_TRUE(WaitUntil([&] {
    return Metrics().find("callpath_gateway_config_reloads_total{result=\"rejected\"} 1") !=
           std::string::npos;
  }));
  EXPECT_EQ(name_via_client("/api/3"), "b");  // the running config was kept
  EXPECT_NE(ReadFile(dir_ + "/gateway.err").find("unknown upstream 'nope'"), std::string::npos);
}

TEST_F(GatewayTest, StopsGracefullyOnSigterm) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));
  ASSERT_EQ(HttpGet(port_, "/api/x").status, 200);
  gateway_->Signal(SIGTERM);
  EXPECT_EQ(gateway_->Wait(30s), 0);
  gateway_.reset();
}

TEST_F(GatewayTest, BadConfigFailsAtStartupWithPosition) {
  WriteFile(dir_ + "/bad.yaml",
            "listen: 127.0.0.1:0\n"
            "routes:\n"
            "  - match: {path_prefix: /api}\n"
            "    upstream: missing\n"
            "upstreams:\n"
            "  main: {endpoints: [127.0.0.1:1]}\n");
  auto p = Process::Spawn({CALLPATH_GATEWAY_BIN, "--config", dir_ + "/bad.yaml"}, {},
                          dir_ + "/bad.out", dir_ + "/bad.err");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->Wait(30s), 2);
  const std::string err = ReadFile(dir_ + "/bad.err");
  EXPECT_NE(err.find(dir_ + "/bad.yaml:4:15"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown upstream 'missing'"), std::string::npos) << err;
}

}  // namespace
}  // namespace gateway_test
