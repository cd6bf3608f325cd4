#include "daemon/auth/trusted_proxies.h"

#include <arpa/inet.h>

#include <cstring>

#include "daemon/auth/api_key.h"

namespace callpath::daemon::auth {
namespace {

// An IP literal as 16 bytes (IPv4 mapped into ::ffff:0:0/96).
bool ParseAddress(std::string_view text, std::array<uint8_t, 16>* out, bool* v4) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (size_t pct = s.find('%'); pct != std::string::npos) s.resize(pct);  // zone id
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    *out = {};
    (*out)[10] = (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &a4, 4);
    *v4 = true;
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(out->data(), &a6, 16);
    *v4 = false;
    return true;
  }
  return false;
}

bool SamePrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int i = 0;
  for (; bits >= 8; bits -= 8, ++i)
    if (a[i] != b[i]) return false;
  if (bits == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits));
  return (a[i] & mask) == (b[i] & mask);
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& ranges) {
  TrustedProxies out;
  for (const std::string& text : ranges) {
    if (text.empty()) continue;
    std::string_view t = text;
    size_t slash = t.find('/');
    Range r;
    bool v4 = false;
    if (!ParseAddress(t.substr(0, slash), &r.bytes, &v4)) {
      return InvalidArgument("--trusted-proxy '" + text + "' is not an IP address or CIDR range");
    }
    int max_bits = v4 ? 32 : 128;
    int bits = max_bits;
    if (slash != std::string_view::npos) {
      std::string_view n = t.substr(slash + 1);
      if (n.empty() || n.size() > 3) return InvalidArgument("--trusted-proxy '" + text + "': bad prefix length");
      bits = 0;
      for (char c : n) {
        if (c < '0' || c > '9') return InvalidArgument("--trusted-proxy '" + text + "': bad prefix length");
        bits = bits * 10 + (c - '0');
      }
      if (bits > max_bits) return InvalidArgument("--trusted-proxy '" + text + "': prefix longer than the address");
    }
    r.prefix_bits = v4 ? 96 + bits : bits;
    out.ranges_.push_back(r);
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view address) const {
  if (ranges_.empty()) return false;
  std::array<uint8_t, 16> a{};
  bool v4 = false;
  if (!ParseAddress(address, &a, &v4)) return false;
  for (const Range& r : ranges_)
    if (SamePrefix(a, r.bytes, r.prefix_bits)) return true;
  return false;
}

bool ResolveTenant(const TrustedProxies& proxies, std::string_view remote_address, std::string_view key_tenant,
                   std::string_view scope_header, std::string* tenant, std::string* why) {
  if (scope_header.empty()) {
    *tenant = std::string(key_tenant);
    return true;
  }
  if (proxies.Contains(remote_address)) {
    if (!ValidTenant(scope_header)) {
      *why = std::string(kScopeOrgHeader) + " must be 1-64 of A-Z a-z 0-9 _ . - (not . or ..)";
      return false;
    }
    *tenant = std::string(scope_header);
    return true;
  }
  if (scope_header == key_tenant) {
    *tenant = std::string(key_tenant);
    return true;
  }
  *why = std::string(kScopeOrgHeader) + " is honoured only from trusted proxies (--trusted-proxy); " +
         "this request's key belongs to another tenant";
  return false;
}

}  // namespace callpath::daemon::auth
