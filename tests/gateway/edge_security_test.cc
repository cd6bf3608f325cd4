// callpath-gateway's edge security, end to end: what an untrusted or a
// trusted client's trace context becomes on the way upstream, and API keys
// on the admin port.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "auth/api_key.h"
#include "gateway_fixture.h"

namespace gateway_test {
namespace {

const std::string kForgedTrace = "0af7651916cd43dd8448eb211c80319c";
const std::string kForgedSpan = "b7ad6b7169203331";
const std::string kForgedParent = "00-" + kForgedTrace + "-" + kForgedSpan + "-01";

// The forged request of a hostile client: its own trace id, sampling forced
// on, a privilege in baggage, and the same in B3 and Jaeger fields.
HttpResult SendForgedContext(int port) {
  return HttpGet(port, "/api/orders/1",
                 {{"traceparent", kForgedParent},
                  {"tracestate", "vendor=forged"},
                  {"baggage", "user.role=admin,request.priority=high"},
                  {"X-B3-TraceId", kForgedTrace},
                  {"X-B3-Sampled", "1"},
                  {"uberctx-user.role", "admin"}});
}

// The gateway's own sampling says no (parentbased_always_off): a span is
// sampled only when its parent was, so the sampled flag upstream shows
// whose decision was followed.
const std::vector<std::string> kSampleOnlyWhenParentDoes = {
    "OTEL_TRACES_SAMPLER=parentbased_always_off"};

TEST_F(GatewayTest, UntrustedClientsForgedContextDoesNotReachTheUpstream) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config("edge: {baggage_allow: [request.priority]}\n" + OneRoute(up)),
                           kSampleOnlyWhenParentDoes));
  HttpResult r = SendForgedContext(port_);
  ASSERT_EQ(r.status, 200) << r.body;

  // A new trace, not sampled (flags 00, or 02: random trace id): the client
  // neither picked the id nor forced sampling.
  const std::string upstream_tp = JsonField(r.body, "traceparent");
  ASSERT_TRUE(std::regex_match(upstream_tp, std::regex("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]")))
      << upstream_tp;
  EXPECT_EQ(upstream_tp.find(kForgedTrace), std::string::npos);
  EXPECT_NE(r.headers["x-trace-id"], kForgedTrace);
  EXPECT_EQ(JsonField(r.body, "tracestate"), "");
  // Baggage: only the allowed key.
  const std::string baggage = JsonField(r.body, "baggage");
  EXPECT_EQ(baggage.find("user.role"), std::string::npos) << baggage;
  EXPECT_NE(baggage.find("request.priority=high"), std::string::npos) << baggage;
  // Other formats' context fields are not passed through either.
  EXPECT_EQ(JsonField(r.body, "x-b3-traceid"), "");
  EXPECT_EQ(JsonField(r.body, "x-b3-sampled"), "");
  EXPECT_EQ(JsonField(r.body, "uberctx-user.role"), "");
}

TEST_F(GatewayTest, UntrustedClientsContextIsALinkOnTheServerSpan) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));  // sampled by the gateway's own choice
  HttpResult r = SendForgedContext(port_);
  ASSERT_EQ(r.status, 200);
  const std::string trace = r.headers["x-trace-id"];
  ASSERT_NE(trace, kForgedTrace);
  EXPECT_EQ(JsonField(r.body, "baggage"), "");  // no allow-list: all baggage dropped

  std::vector<CollectedSpan> spans = AwaitSpans(trace, 2);
  const CollectedSpan* server = Find(spans, 2);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->parent_span_id, "");
  ASSERT_EQ(server->links.size(), 1u);
  EXPECT_EQ(server->links[0].trace_id, kForgedTrace);
  EXPECT_EQ(server->links[0].span_id, kForgedSpan);
  EXPECT_EQ(server->links[0].attributes.at("callpath.gateway.link"), "untrusted_client_context");
  EXPECT_TRUE(collector_.SpansOfTrace(kForgedTrace).empty());
}

TEST_F(GatewayTest, TrustedClientsContextReachesTheUpstreamAsSent) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config("edge: {trusted_clients: [10.0.0.0/8]}\n" + OneRoute(up)),
                           kSampleOnlyWhenParentDoes,
                           {"--trusted-clients", "127.0.0.1/32"}));  // the flag replaces the list
  HttpResult r = SendForgedContext(port_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-trace-id"], kForgedTrace);
  const std::string upstream_tp = JsonField(r.body, "traceparent");
  EXPECT_TRUE(std::regex_match(upstream_tp,
                               std::regex("00-" + kForgedTrace + "-[0-9a-f]{16}-01")))
      << upstream_tp;  // the client's sampling decision was followed
  EXPECT_EQ(JsonField(r.body, "tracestate"), "vendor=forged");
  EXPECT_NE(JsonField(r.body, "baggage").find("user.role=admin"), std::string::npos);
  EXPECT_EQ(JsonField(r.body, "x-b3-traceid"), kForgedTrace);
}

TEST_F(GatewayTest, PropagationFieldsOverTheirCapsAreIgnored) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config("edge: {trusted_clients: [127.0.0.0/8]}\n" + OneRoute(up))));
  std::string baggage, tracestate;
  for (int i = 0; i < 181; ++i) baggage += (i ? ",k" : "k") + std::to_string(i) + "=v";
  for (int i = 0; i < 33; ++i) tracestate += (i ? ",v" : "v") + std::to_string(i) + "=x";
  HttpResult r = HttpGet(port_, "/api/x",
                         {{"traceparent", kForgedParent},
                          {"tracestate", tracestate},
                          {"baggage", baggage}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["x-trace-id"], kForgedTrace);  // traceparent within its cap
  EXPECT_EQ(JsonField(r.body, "tracestate"), "");
  EXPECT_EQ(JsonField(r.body, "baggage"), "");

  HttpResult too_long = HttpGet(port_, "/api/x", {{"traceparent", kForgedParent + std::string(100, 'f')}});
  ASSERT_EQ(too_long.status, 200);
  EXPECT_NE(too_long.headers["x-trace-id"], kForgedTrace);
}

// No span attribute or access-log line holds a credential header's value or
// a credential query parameter (OpenTelemetry HTTP semantic conventions).
TEST_F(GatewayTest, CredentialsInHeadersAndUrlsAreNeverRecorded) {
  const int up = StartUpstream("a");
  ASSERT_TRUE(StartGateway(Config(OneRoute(up))));
  HttpResult r = HttpGet(port_, "/api/login?user=bob&token=query-secret-1&sig=query-secret-2",
                         {{"Authorization", "Bearer header-secret-3"},
                          {"Cookie", "sid=header-secret-4"},
                          {"Proxy-Authorization", "Basic header-secret-5"}});
  ASSERT_EQ(r.status, 200);
  // The upstream still gets what the client sent: only telemetry is scrubbed.
  EXPECT_EQ(JsonField(r.body, "authorization"), "Bearer header-secret-3");
  const std::string trace = r.headers["x-trace-id"];
  std::vector<CollectedSpan> spans = AwaitSpans(trace, 2);
  ASSERT_EQ(spans.size(), 2u);
  const char* secrets[] = {"query-secret-1", "query-secret-2", "header-secret-3", "header-secret-4",
                           "header-secret-5"};
  for (const CollectedSpan& s : spans) {
    for (const auto& [key, value] : s.attributes) {
      for (const char* secret : secrets) {
        EXPECT_EQ(value.find(secret), std::string::npos) << key << "=" << value;
      }
    }
  }
  const CollectedSpan* client = Find(spans, 3);
  ASSERT_NE(client, nullptr);
  EXPECT_NE(client->attributes.at("url.full").find("user=bob"), std::string::npos);
  EXPECT_TRUE(WaitUntil([&] { return ReadFile(dir_ + "/access.log").find(trace) != std::string::npos; }));
  const std::string log = ReadFile(dir_ + "/access.log");
  for (const char* secret : secrets) EXPECT_EQ(log.find(secret), std::string::npos) << log;
}

class GatewayAdminKeysTest : public GatewayTest {
 protected:
  // Writes a keys file with an admin key and an ingest-only key.
  std::string WriteKeys() {
    auto admin = callpath::auth::GenerateKey("ops", callpath::auth::kScopeAdmin);
    auto ingest = callpath::auth::GenerateKey("shop", callpath::auth::kScopeIngest);
    EXPECT_TRUE(admin.ok() && ingest.ok());
    admin_key_ = admin->key;
    ingest_key_ = ingest->key;
    const std::string path = dir_ + "/keys";
    WriteFile(path, callpath::auth::KeysFileLine(admin->entry) +
                        callpath::auth::KeysFileLine(ingest->entry));
    return path;
  }
  std::string admin_key_, ingest_key_;
};

TEST_F(GatewayAdminKeysTest, AdminPortNeedsAKeyWithTheAdminScope) {
  const int up = StartUpstream("a");
  const std::string keys = WriteKeys();
  ASSERT_TRUE(StartGateway(Config("admin_keys_file: " + keys + "\n" + OneRoute(up))));

  HttpResult none = HttpGet(admin_port_, "/metrics");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.headers["www-authenticate"].find("Bearer"), std::string::npos);
  EXPECT_EQ(none.body.find("callpath_gateway_requests_total"), std::string::npos);

  HttpResult forged = HttpGet(admin_port_, "/metrics",
                              {{"Authorization", "Bearer cpk_0123456789abcdef_" + std::string(64, 'a')}});
  EXPECT_EQ(forged.status, 401);

  HttpResult wrong_scope = HttpGet(admin_port_, "/metrics", {{"Authorization", "Bearer " + ingest_key_}});
  EXPECT_EQ(wrong_scope.status, 403);
  EXPECT_NE(wrong_scope.body.find("admin"), std::string::npos) << wrong_scope.body;

  HttpResult ok = HttpGet(admin_port_, "/metrics", {{"Authorization", "Bearer " + admin_key_}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("callpath_gateway_"), std::string::npos);

  // Probes need no key; the proxy port is not affected.
  EXPECT_EQ(HttpGet(admin_port_, "/healthz").status, 200);
  EXPECT_EQ(HttpGet(port_, "/api/x").status, 200);
}

TEST_F(GatewayAdminKeysTest, KeysFileFlagAndReloadOnSighup) {
  const int up = StartUpstream("a");
  const std::string keys = WriteKeys();
  ASSERT_TRUE(StartGateway(Config(OneRoute(up)), {}, {"--admin-keys-file", keys}));
  EXPECT_EQ(HttpGet(admin_port_, "/metrics").status, 401);
  EXPECT_EQ(HttpGet(admin_port_, "/metrics", {{"Authorization", "Bearer " + admin_key_}}).status, 200);

  // Revoking: the admin key's line removed, then SIGHUP.
  const std::string old_admin = admin_key_;
  WriteKeys();  // a new pair replaces the file
  gateway_->Signal(SIGHUP);
  EXPECT_TRUE(WaitUntil([&] {
    return HttpGet(admin_port_, "/metrics", {{"Authorization", "Bearer " + old_admin}}).status == 401;
  }));
  EXPECT_EQ(HttpGet(admin_port_, "/metrics", {{"Authorization", "Bearer " + admin_key_}}).status, 200);
}

TEST_F(GatewayAdminKeysTest, UnreadableKeysFileStopsTheStart) {
  const int up = StartUpstream("a");
  WriteFile(dir_ + "/bad-keys", "cpk1 not a key line\n");
  EXPECT_FALSE(StartGateway(Config("admin_keys_file: " + dir_ + "/bad-keys\n" + OneRoute(up))));
  EXPECT_NE(ReadFile(dir_ + "/gateway.err").find("admin_keys_file"), std::string::npos)
      << ReadFile(dir_ + "/gateway.err");
  gateway_.reset();
}

}  // namespace
}  // namespace gateway_test
