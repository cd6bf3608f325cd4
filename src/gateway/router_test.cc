#include "gateway/router.h"

#include <gtest/gtest.h>

namespace callpath::gateway {
namespace {

Route R(std::string prefix, std::string host = "", std::string upstream = "u") {
  Route r;
  r.path_prefix = std::move(prefix);
  r.host = std::move(host);
  r.upstream = std::move(upstream);
  return r;
}

TEST(GatewayRouter, PrefixMatchesOnSegmentBoundaries) {
  EXPECT_TRUE(PathHasPrefix("/api/orders", "/api/orders"));
  EXPECT_TRUE(PathHasPrefix("/api/orders/7", "/api/orders"));
  EXPECT_FALSE(PathHasPrefix("/api/ordersX", "/api/orders"));
  EXPECT_FALSE(PathHasPrefix("/api", "/api/orders"));
  EXPECT_TRUE(PathHasPrefix("/anything", "/"));
  EXPECT_TRUE(PathHasPrefix("/api/x", "/api/"));
}

TEST(GatewayRouter, LongestPrefixThenHostThenOrder) {
  std::vector<Route> routes = {R("/", "", "root"), R("/api", "", "api"),
                               R("/api/orders", "", "orders"),
                               R("/api/orders", "shop.local", "shop-orders"),
                               R("/api", "", "api-second")};
  Router router(routes);
  EXPECT_EQ(router.Match("x", "/")->upstream, "root");
  EXPECT_EQ(router.Match("x", "/static/a.css")->upstream, "root");
  EXPECT_EQ(router.Match("x", "/api/users")->upstream, "api");  // first of equals
  EXPECT_EQ(router.Match("x", "/api/orders/1")->upstream, "orders");
  EXPECT_EQ(router.Match("SHOP.local:8080", "/api/orders/1")->upstream, "shop-orders");
  EXPECT_EQ(router.Match("shop.local", "/api/ordersX")->upstream, "api");
}

TEST(GatewayRouter, NoMatch) {
  std::vector<Route> routes = {R("/api"), R("/admin", "admin.local")};
  Router router(routes);
  EXPECT_EQ(router.Match("x", "/other"), nullptr);
  EXPECT_EQ(router.Match("x", "/admin"), nullptr);
  EXPECT_EQ(router.Match("", "/admin/x"), nullptr);
  EXPECT_NE(router.Match("admin.local:1", "/admin/x"), nullptr);
}

TEST(GatewayRouter, HostAndPortParsing) {
  EXPECT_EQ(HostWithoutPort("Shop.Local:8080"), "shop.local");
  EXPECT_EQ(HostWithoutPort("[::1]:80"), "::1");
  EXPECT_EQ(HostWithoutPort("::1"), "::1");
  EXPECT_EQ(HostWithoutPort(""), "");
  EXPECT_EQ(PortFromHost("a:8080", 80), 8080);
  EXPECT_EQ(PortFromHost("a", 80), 80);
  EXPECT_EQ(PortFromHost("[::1]:9", 80), 9);
  EXPECT_EQ(PortFromHost("::1", 80), 80);
  EXPECT_EQ(PortFromHost("a:99999", 80), 80);
  EXPECT_EQ(PortFromHost("a:", 80), 80);
  EXPECT_EQ(PortFromHost(":", 80), 80);
}

TEST(GatewayRouter, StripPrefix) {
  Route r = R("/api/orders");
  EXPECT_EQ(UpstreamTarget("/api/orders/7?x=1", r), "/api/orders/7?x=1");
  r.strip_prefix = "/api/orders";
  EXPECT_EQ(UpstreamTarget("/api/orders/7?x=1", r), "/7?x=1");
  EXPECT_EQ(UpstreamTarget("/api/orders", r), "/");
  EXPECT_EQ(UpstreamTarget("/api/orders?q", r), "/?q");
  EXPECT_EQ(UpstreamTarget("/elsewhere", r), "/elsewhere");
  r.strip_prefix = "/api/";
  EXPECT_EQ(UpstreamTarget("/api/orders", r), "/orders");
}

}  // namespace
}  // namespace callpath::gateway
