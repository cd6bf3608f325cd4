// Metrics rendering, endpoint picking and the HTTP text helpers.
#include <gtest/gtest.h>

#include "gateway/http_text.h"
#include "gateway/metrics.h"
#include "gateway/runtime.h"

namespace callpath::gateway {
namespace {

TEST(GatewayMetrics, RendersCountersAndCumulativeHistogram) {
  Metrics m;
  m.CountRequest("/api", 200);
  m.CountRequest("/api", 200);
  m.CountRequest("", 404);
  m.ObserveAttempt("orders", "response", 0.0007);
  m.ObserveAttempt("orders", "timeout", 20.0);
  m.CountRetry("orders");
  m.CountReload(false);
  std::string out;
  m.Render(out);
  EXPECT_NE(out.find("callpath_gateway_requests_total{route=\"/api\",status=\"200\"} 2\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("callpath_gateway_requests_total{route=\"\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("callpath_gateway_upstream_attempts_total{upstream=\"orders\",outcome=\"timeout\"} 1"),
            std::string::npos);
  EXPECT_NE(out.find("_bucket{upstream=\"orders\",le=\"0.0005\"} 0\n"), std::string::npos);
  EXPECT_NE(out.find("_bucket{upstream=\"orders\",le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("_bucket{upstream=\"orders\",le=\"10\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("_bucket{upstream=\"orders\",le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("_count{upstream=\"orders\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("callpath_gateway_upstream_retries_total{upstream=\"orders\"} 1"),
            std::string::npos);
  EXPECT_NE(out.find("callpath_gateway_config_reloads_total{result=\"rejected\"} 1"),
            std::string::npos);
  EXPECT_EQ(Metrics::EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

std::shared_ptr<Runtime> TwoEndpoints() {
  Config c;
  c.source = "t";
  Route r;
  r.path_prefix = "/";
  r.upstream = "u";
  c.routes.push_back(r);
  UpstreamConfig u;
  u.name = "u";
  u.endpoints = {{"127.0.0.1", 1}, {"127.0.0.1", 2}, {"127.0.0.1", 3}};
  c.upstreams["u"] = u;
  c.propagators = {"tracecontext"};
  Result<std::shared_ptr<Runtime>> rt = Runtime::Build(c, nullptr);
  EXPECT_TRUE(rt.ok()) << rt.status().message();
  return *rt;
}

TEST(GatewayUpstream, RoundRobinSkipsUnhealthyAndAvoidsTheLastFailure) {
  auto rt = TwoEndpoints();
  UpstreamState& up = rt->upstream("u");
  auto& eps = up.endpoints();
  std::map<EndpointState*, int> seen;
  for (int i = 0; i < 9; ++i) seen[up.Pick()]++;
  EXPECT_EQ(seen.size(), 3u);
  for (auto& [e, n] : seen) EXPECT_EQ(n, 3);

  eps[1]->healthy = false;
  for (int i = 0; i < 10; ++i) EXPECT_NE(up.Pick(), eps[1].get());
  for (int i = 0; i < 10; ++i) EXPECT_NE(up.Pick(eps[0].get()), eps[0].get());

  eps[0]->healthy = false;
  eps[2]->healthy = false;  // none healthy: everyone is a candidate again
  seen.clear();
  for (int i = 0; i < 9; ++i) seen[up.Pick()]++;
  EXPECT_EQ(seen.size(), 3u);
}

TEST(GatewayUpstream, ReloadKeepsHealthOfUnchangedEndpoints) {
  auto first = TwoEndpoints();
  first->upstream("u").endpoints()[2]->healthy = false;
  auto second = Runtime::Build(first->config(), first.get());
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE((*second)->upstream("u").endpoints()[2]->healthy);
  EXPECT_TRUE((*second)->upstream("u").endpoints()[0]->healthy);
}

TEST(GatewayUpstream, UnresolvableHostIsAConfigError) {
  Config c = TwoEndpoints()->config();
  c.upstreams["u"].endpoints = {{"no-such-host.invalid", 80}};
  Result<std::shared_ptr<Runtime>> rt = Runtime::Build(c, nullptr);
  ASSERT_FALSE(rt.ok());
  EXPECT_NE(rt.status().message().find("cannot resolve 'no-such-host.invalid'"), std::string::npos);
}

TEST(GatewayHttpText, HopByHopAndMethodsAndBodies) {
  EXPECT_TRUE(IsHopByHopField("Connection"));
  EXPECT_TRUE(IsHopByHopField("transfer-encoding"));
  EXPECT_TRUE(IsHopByHopField("Content-Length"));
  EXPECT_FALSE(IsHopByHopField("traceparent"));
  EXPECT_FALSE(IsHopByHopField("Content-Type"));
  EXPECT_EQ(SemconvMethod("GET"), "GET");
  EXPECT_EQ(SemconvMethod("get"), "_OTHER");
  EXPECT_EQ(SemconvMethod("BREW"), "_OTHER");
  EXPECT_EQ(ErrorBody("bad \"x\"\n", "abc"), "{\"error\":\"bad \\\"x\\\"\\n\",\"trace_id\":\"abc\"}");
  EXPECT_EQ(AppendForwardedFor("", "10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(AppendForwardedFor("1.2.3.4, ", "10.0.0.1"), "1.2.3.4, 10.0.0.1");
}

}  // namespace
}  // namespace callpath::gateway
