// Which clients may name a request's tenant themselves: front proxies
// (an authenticating gateway in front of callpathd, as Loki and Tempo are
// deployed) listed by address range. Their `X-Scope-OrgID` header (gRPC
// metadata `x-scope-orgid`) replaces the tenant of the key the request
// came with; from any other address a header naming another tenant is
// refused, so a client cannot pick its tenant by sending one.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"

namespace callpath::daemon::auth {

inline constexpr std::string_view kScopeOrgHeader = "X-Scope-OrgID";

class TrustedProxies {
 public:
  // `ranges`: "10.0.0.0/8", "192.168.1.7" (one host), "::1/128", "fd00::/8".
  static Result<TrustedProxies> Parse(const std::vector<std::string>& ranges);

  bool empty() const { return ranges_.empty(); }
  // True when `address` (an IP literal, as the servers report the peer;
  // IPv4-mapped IPv6 counts as IPv4) lies in one of the ranges.
  bool Contains(std::string_view address) const;

 private:
  struct Range {
    std::array<uint8_t, 16> bytes{};  // IPv4 as ::ffff:a.b.c.d
    int prefix_bits = 0;              // of the 128
  };
  std::vector<Range> ranges_;
};

// The tenant a request belongs to: `key_tenant` (the key's, "" without
// authentication) unless `scope_header` is sent. From a trusted proxy the
// header names the tenant (it must be a valid tenant name); from anyone
// else it must equal `key_tenant`. On refusal returns false with *why
// set (the caller answers 403 / PERMISSION_DENIED).
bool ResolveTenant(const TrustedProxies& proxies, std::string_view remote_address, std::string_view key_tenant,
                   std::string_view scope_header, std::string* tenant, std::string* why);

}  // namespace callpath::daemon::auth
