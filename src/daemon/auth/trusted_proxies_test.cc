#include "daemon/auth/trusted_proxies.h"

#include <gtest/gtest.h>

namespace callpath::daemon::auth {
namespace {

TrustedProxies Parse(std::vector<std::string> ranges) {
  Result<TrustedProxies> p = TrustedProxies::Parse(ranges);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : TrustedProxies();
}

TEST(TrustedProxies, MatchesIpv4AndIpv6Ranges) {
  TrustedProxies p = Parse({"10.0.0.0/8", "192.168.1.7", "fd00::/8"});
  EXPECT_TRUE(p.Contains("10.1.2.3"));
  EXPECT_TRUE(p.Contains("::ffff:10.1.2.3"));  // IPv4-mapped, as a dual-stack socket reports it
  EXPECT_FALSE(p.Contains("11.0.0.1"));
  EXPECT_TRUE(p.Contains("192.168.1.7"));
  EXPECT_FALSE(p.Contains("192.168.1.8"));
  EXPECT_TRUE(p.Contains("fd12::1"));
  EXPECT_FALSE(p.Contains("fe80::1"));
  EXPECT_FALSE(p.Contains("not-an-address"));
  EXPECT_FALSE(TrustedProxies().Contains("127.0.0.1"));
}

TEST(TrustedProxies, OddPrefixLengthsAndRefusals) {
  TrustedProxies p = Parse({"172.16.0.0/12"});
  EXPECT_TRUE(p.Contains("172.31.255.255"));
  EXPECT_FALSE(p.Contains("172.32.0.0"));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "example.com", "::1/129", "10.0.0.0/x"}) {
    EXPECT_FALSE(TrustedProxies::Parse({bad}).ok()) << bad;
  }
}

TEST(ResolveTenant, HeaderFromATrustedProxyNamesTheTenantElseMustMatchTheKey) {
  TrustedProxies p = Parse({"10.0.0.0/8"});
  std::string tenant, why;
  ASSERT_TRUE(ResolveTenant(p, "10.0.0.5", "proxy", "shop", &tenant, &why));
  EXPECT_EQ(tenant, "shop");
  ASSERT_TRUE(ResolveTenant(p, "10.0.0.5", "proxy", "", &tenant, &why));
  EXPECT_EQ(tenant, "proxy");
  EXPECT_FALSE(ResolveTenant(p, "10.0.0.5", "proxy", "..", &tenant, &why));
  EXPECT_FALSE(ResolveTenant(p, "10.0.0.5", "proxy", "a/b", &tenant, &why));
  EXPECT_FALSE(ResolveTenant(p, "192.0.2.1", "alpha", "beta", &tenant, &why));
  EXPECT_NE(why.find("trusted"), std::string::npos);
  ASSERT_TRUE(ResolveTenant(p, "192.0.2.1", "alpha", "alpha", &tenant, &why));
  EXPECT_EQ(tenant, "alpha");
  // Without keys the tenant is "": a client cannot pick one either.
  EXPECT_FALSE(ResolveTenant(p, "192.0.2.1", "", "beta", &tenant, &why));
}

}  // namespace
}  // namespace callpath::daemon::auth
