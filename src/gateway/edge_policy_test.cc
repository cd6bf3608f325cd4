// The edge policy: trusted networks, caps on propagation fields, and what an
// untrusted client's context becomes.
#include "gateway/edge_policy.h"

#include <gtest/gtest.h>

#include "gateway/config.h"
#include "gateway/ip_network.h"
#include "gateway/message.h"

namespace callpath::gateway {
namespace {

constexpr std::string_view kTrace = "0af7651916cd43dd8448eb211c80319c";
const std::string kForged = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

IpNetwork Net(std::string_view text) {
  Result<IpNetwork> n = ParseIpNetwork(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status().message();
  return n.ok() ? *n : IpNetwork{};
}

TEST(IpNetwork, MatchesAddressesInsideThePrefixOnly) {
  EXPECT_TRUE(NetworkContains(Net("10.0.0.0/8"), "10.200.3.4"));
  EXPECT_FALSE(NetworkContains(Net("10.0.0.0/8"), "11.0.0.1"));
  EXPECT_TRUE(NetworkContains(Net("192.168.1.128/25"), "192.168.1.200"));
  EXPECT_FALSE(NetworkContains(Net("192.168.1.128/25"), "192.168.1.127"));
  EXPECT_TRUE(NetworkContains(Net("127.0.0.1"), "127.0.0.1"));
  EXPECT_FALSE(NetworkContains(Net("127.0.0.1"), "127.0.0.2"));
  EXPECT_TRUE(NetworkContains(Net("0.0.0.0/0"), "8.8.8.8"));
  EXPECT_TRUE(NetworkContains(Net("fd00::/8"), "fd12::1"));
  EXPECT_FALSE(NetworkContains(Net("fd00::/8"), "fe80::1"));
  EXPECT_TRUE(NetworkContains(Net("::1"), "::1"));
  // What a dual-stack socket reports for an IPv4 peer.
  EXPECT_TRUE(NetworkContains(Net("10.0.0.0/8"), "::ffff:10.1.2.3"));
  // IPv4 and IPv6 never match each other; garbage matches nothing.
  EXPECT_FALSE(NetworkContains(Net("0.0.0.0/0"), "::2"));
  EXPECT_FALSE(NetworkContains(Net("::/0"), "10.0.0.1"));
  EXPECT_FALSE(NetworkContains(Net("0.0.0.0/0"), "not-an-ip"));
  EXPECT_FALSE(NetworkContains(Net("0.0.0.0/0"), ""));
}

TEST(IpNetwork, RejectsMalformedNetworks) {
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0.1/8",
                          "example.com", "::1/129", "10.0.0.0/-1", "1.2.3.4/8 "}) {
    EXPECT_FALSE(ParseIpNetwork(bad).ok()) << bad;
  }
}

Message Request(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  Message m;
  m.SetRequestLine("GET", "/", 11);
  for (const auto& [name, value] : fields) m.AddField(name, value);
  return m;
}

TEST(CappedCarrier, HidesFieldsOverTheirCaps) {
  EdgeConfig edge;
  edge.max_tracestate_members = 2;
  edge.max_baggage_bytes = 20;
  const Message m = Request({{"traceparent", kForged},
                             {"tracestate", "a=1,b=2"},
                             {"TraceState", "c=3"},
                             {"baggage", "k=0123456789abcdefghij"},
                             {"other", "x"}});
  MessageCarrier inner(m);
  CappedCarrier capped(inner, edge);
  EXPECT_EQ(capped.Get("traceparent"), kForged);
  EXPECT_EQ(capped.GetJoined("tracestate"), "");  // 3 members over two fields
  EXPECT_EQ(capped.Count("tracestate"), 0u);
  EXPECT_EQ(capped.Get("baggage"), "");  // 22 bytes
  EXPECT_EQ(capped.Get("other"), "x");

  edge.max_traceparent_bytes = 55;
  const std::string long_tp = kForged + "-00";
  const Message m2 = Request({{"traceparent", long_tp}, {"tracestate", "a=1,,b=2"}});
  MessageCarrier inner2(m2);
  CappedCarrier capped2(inner2, edge);
  EXPECT_EQ(capped2.Get("traceparent"), "");
  EXPECT_EQ(capped2.GetJoined("tracestate"), "a=1,,b=2");  // empty members do not count
}

TEST(EdgePolicy, UntrustedClientGetsANewTraceLinkedToTheOneItSent) {
  EdgeConfig edge;  // nobody trusted
  edge.baggage_allow = {"request.priority"};
  auto propagator = MakePropagators("tracecontext,baggage");
  const Message m = Request({{"traceparent", kForged},
                             {"baggage", "user.role=admin,request.priority=high,tenant=x"}});
  const EdgeContext e = ExtractAtEdge(edge, *propagator, MessageCarrier(m), "203.0.113.9");
  EXPECT_FALSE(e.trusted);
  EXPECT_FALSE(e.parent.span_context().IsValid());
  ASSERT_TRUE(e.client_context.IsValid());
  EXPECT_EQ(e.client_context.trace_id().ToHex(), kTrace);
  EXPECT_TRUE(e.client_context.IsSampled());  // kept in the link, not obeyed
  ASSERT_EQ(e.parent.baggage().size(), 1u);
  EXPECT_EQ(*e.parent.baggage().Get("request.priority"), "high");
  EXPECT_EQ(e.parent.baggage().Get("user.role"), nullptr);
}

TEST(EdgePolicy, WithoutAnAllowListAnUntrustedClientsBaggageIsDropped) {
  EdgeConfig edge;
  auto propagator = MakePropagators("tracecontext,baggage");
  const Message m = Request({{"baggage", "user.role=admin"}});
  const EdgeContext e = ExtractAtEdge(edge, *propagator, MessageCarrier(m), "127.0.0.1");
  EXPECT_TRUE(e.parent.baggage().empty());
  EXPECT_FALSE(e.client_context.IsValid());
}

TEST(EdgePolicy, TrustedClientContinuesItsTraceWithItsBaggage) {
  EdgeConfig edge;
  edge.trusted_clients = {Net("10.0.0.0/8")};
  auto propagator = MakePropagators("tracecontext,baggage");
  const Message m = Request({{"traceparent", kForged}, {"baggage", "user.role=admin"}});
  const EdgeContext e = ExtractAtEdge(edge, *propagator, MessageCarrier(m), "10.1.2.3");
  EXPECT_TRUE(e.trusted);
  EXPECT_EQ(e.parent.span_context().trace_id().ToHex(), kTrace);
  EXPECT_FALSE(e.client_context.IsValid());
  EXPECT_EQ(*e.parent.baggage().Get("user.role"), "admin");
}

TEST(EdgePolicy, CapsApplyToTrustedClientsToo) {
  EdgeConfig edge;
  edge.trusted_clients = {Net("0.0.0.0/0")};
  edge.max_baggage_entries = 1;
  auto propagator = MakePropagators("tracecontext,baggage");
  const Message m = Request({{"traceparent", kForged}, {"baggage", "a=1,b=2"}});
  const EdgeContext e = ExtractAtEdge(edge, *propagator, MessageCarrier(m), "10.1.2.3");
  EXPECT_TRUE(e.parent.span_context().IsValid());
  EXPECT_TRUE(e.parent.baggage().empty());
}

TEST(EdgePolicy, KnowsTheTraceContextFieldsOfEveryFormat) {
  for (const char* f : {"traceparent", "TraceState", "baggage", "b3", "X-B3-TraceId",
                        "x-b3-sampled", "uber-trace-id", "uberctx-user.role"}) {
    EXPECT_TRUE(IsTraceContextField(f)) << f;
  }
  for (const char* f : {"host", "x-b3", "authorization", "uber"}) {
    EXPECT_FALSE(IsTraceContextField(f)) << f;
  }
}

TEST(GatewayConfig, ParsesTheEdgeSection) {
  Result<Config> c = ParseConfig(R"(listen: 127.0.0.1:8080
edge:
  trusted_clients: [10.0.0.0/8, "::1"]
  baggage_allow: [request.priority]
  max_tracestate_members: 16
  max_baggage_bytes: 4096
admin_keys_file: /etc/callpath/keys
routes: [{match: {path_prefix: /}, upstream: u}]
upstreams: {u: {endpoints: [127.0.0.1:1]}}
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->edge.trusted_clients.size(), 2u);
  EXPECT_TRUE(NetworkContains(c->edge.trusted_clients[1], "::1"));
  EXPECT_EQ(c->edge.baggage_allow, std::vector<std::string>{"request.priority"});
  EXPECT_EQ(c->edge.max_tracestate_members, 16u);
  EXPECT_EQ(c->edge.max_baggage_bytes, 4096u);
  EXPECT_EQ(c->edge.max_baggage_entries, 180u);
  EXPECT_EQ(c->admin_keys_file, "/etc/callpath/keys");

  Result<Config> defaults = ParseConfig(R"(listen: 127.0.0.1:8080
routes: [{match: {path_prefix: /}, upstream: u}]
upstreams: {u: {endpoints: [127.0.0.1:1]}}
)");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->edge.trusted_clients.empty());  // nobody trusted by default
  EXPECT_TRUE(defaults->edge.baggage_allow.empty());
}

TEST(GatewayConfig, BadEdgeSettingsNameKeyAndLine) {
  Result<Config> c = ParseConfig("listen: 127.0.0.1:8080\n"
                                 "edge:\n"
                                 "  trusted_clients: [10.0.0.1/8]\n"
                                 "routes: [{match: {path_prefix: /}, upstream: u}]\n"
                                 "upstreams: {u: {endpoints: [127.0.0.1:1]}}\n",
                                 "gw.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("gw.yaml:3:"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("edge.trusted_clients"), std::string::npos);
  Result<Config> d = ParseConfig("listen: 127.0.0.1:8080\nedge: {max_tracestate_members: 64}\n"
                                 "routes: [{match: {path_prefix: /}, upstream: u}]\n"
                                 "upstreams: {u: {endpoints: [127.0.0.1:1]}}\n");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("max_tracestate_members"), std::string::npos);
  std::vector<IpNetwork> nets;
  EXPECT_TRUE(ParseTrustedClients("10.0.0.0/8, ::1", nets).ok());
  EXPECT_EQ(nets.size(), 2u);
  EXPECT_FALSE(ParseTrustedClients("10.0.0.0/8,nope", nets).ok());
}

}  // namespace
}  // namespace callpath::gateway
