// IP networks in CIDR notation ("10.0.0.0/8", "::1/128", or a bare address
// meaning that address alone), for the edge policy's trusted clients.
//
// An IPv4-mapped IPv6 address ("::ffff:10.1.2.3", what a dual-stack socket
// reports for an IPv4 peer) is matched as the IPv4 address it maps.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "callpath/status.h"

namespace callpath::gateway {

struct IpNetwork {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network address; IPv4 uses the first 4
  int prefix_len = 0;               // 0..32 (IPv4) or 0..128 (IPv6)
  std::string text;                 // as written, for messages
  friend bool operator==(const IpNetwork& a, const IpNetwork& b) {
    return a.v6 == b.v6 && a.bytes == b.bytes && a.prefix_len == b.prefix_len;
  }
};

// Parses "addr/len" or "addr". Host bits set below the prefix are an error
// ("10.0.0.1/8" is probably a typo for a single address or for 10.0.0.0/8).
Result<IpNetwork> ParseIpNetwork(std::string_view text);

// True when `ip` (a numeric address, as the peer's address is reported) lies
// in `net`. A malformed `ip` is in no network.
bool NetworkContains(const IpNetwork& net, std::string_view ip) noexcept;

}  // namespace callpath::gateway
