#include "gateway/ip_network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace callpath::gateway {
namespace {

struct ParsedAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
};

// Numeric IPv4 or IPv6 address; IPv4-mapped IPv6 becomes IPv4.
bool ParseAddress(std::string_view text, ParsedAddress* out) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  *out = ParsedAddress{};
  if (inet_pton(AF_INET, buf, out->bytes.data()) == 1) return true;
  if (inet_pton(AF_INET6, buf, out->bytes.data()) != 1) return false;
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(out->bytes.data(), kMappedPrefix, 12) == 0) {
    std::memmove(out->bytes.data(), out->bytes.data() + 12, 4);
    std::memset(out->bytes.data() + 4, 0, 12);
    return true;
  }
  out->v6 = true;
  return true;
}

// Whether the first `prefix_len` bits of a and b agree.
bool SamePrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                int prefix_len) {
  const int whole = prefix_len / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(whole)) != 0) return false;
  const int rest = prefix_len % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

Result<IpNetwork> ParseIpNetwork(std::string_view text) {
  IpNetwork net;
  net.text = std::string(text);
  const size_t slash = text.find('/');
  ParsedAddress addr;
  if (!ParseAddress(text.substr(0, slash), &addr)) {
    return InvalidArgument("'" + net.text + "' is not an IP address or network (e.g. 10.0.0.0/8)");
  }
  net.v6 = addr.v6;
  net.bytes = addr.bytes;
  const int max_len = net.v6 ? 128 : 32;
  net.prefix_len = max_len;
  if (slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    int value = -1;
    auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), value);
    if (len.empty() || ec != std::errc() || p != len.data() + len.size() || value < 0 ||
        value > max_len) {
      return InvalidArgument("bad prefix length in '" + net.text + "' (0.." +
                             std::to_string(max_len) + ")");
    }
    net.prefix_len = value;
  }
  std::array<uint8_t, 16> masked{};
  for (int bit = 0; bit < net.prefix_len; ++bit) {
    masked[bit / 8] |= static_cast<uint8_t>(net.bytes[bit / 8] & (0x80 >> (bit % 8)));
  }
  if (masked != net.bytes) {
    return InvalidArgument("'" + net.text + "' has bits set after the prefix length");
  }
  return net;
}

bool NetworkContains(const IpNetwork& net, std::string_view ip) noexcept {
  ParsedAddress addr;
  if (!ParseAddress(ip, &addr) || addr.v6 != net.v6) return false;
  return SamePrefix(addr.bytes, net.bytes, net.prefix_len);
}

}  // namespace callpath::gateway
