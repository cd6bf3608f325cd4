#include "text/hex.h"

namespace callpath::text {
namespace {

// -1 for a non-hex character; the two tables differ only in A-F.
struct HexTable {
  int8_t lower[256];
  int8_t any[256];
  constexpr HexTable() : lower(), any() {
    for (int i = 0; i < 256; ++i) lower[i] = any[i] = -1;
    for (int i = 0; i < 10; ++i) lower['0' + i] = any['0' + i] = static_cast<int8_t>(i);
    for (int i = 0; i < 6; ++i) {
      lower['a' + i] = any['a' + i] = static_cast<int8_t>(10 + i);
      any['A' + i] = static_cast<int8_t>(10 + i);
    }
  }
};
constexpr HexTable kHex;

}  // namespace

int HexDigitValue(char c) noexcept { return kHex.any[static_cast<uint8_t>(c)]; }

void HexEncode(const uint8_t* bytes, size_t n, char* out) noexcept {
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kLowerHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kLowerHexDigits[bytes[i] & 0xf];
  }
}

void AppendHex(std::string_view bytes, std::string* out) {
  const size_t at = out->size();
  out->resize(at + 2 * bytes.size());
  HexEncode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), out->data() + at);
}

std::string HexString(std::string_view bytes) {
  std::string out;
  AppendHex(bytes, &out);
  return out;
}

bool HexDecode(std::string_view hex, uint8_t* out, size_t n, HexCase accept) noexcept {
  if (hex.size() != 2 * n) return false;
  const int8_t* table = accept == HexCase::kLowerOnly ? kHex.lower : kHex.any;
  int bad = 0;
  for (size_t i = 0; i < n; ++i) {
    const int hi = table[static_cast<uint8_t>(hex[2 * i])];
    const int lo = table[static_cast<uint8_t>(hex[2 * i + 1])];
    bad |= hi | lo;  // any -1 sets the sign bit
    out[i] = static_cast<uint8_t>((hi << 4) | (lo & 0xf));
  }
  return bad >= 0;
}

bool HexDecodeLeftPadded(std::string_view hex, uint8_t* out, size_t n) noexcept {
  if (hex.empty() || hex.size() > 2 * n) return false;
  const size_t pad = 2 * n - hex.size();  // zero digits in front
  for (size_t d = 0; d < 2 * n; ++d) {
    const int v = d < pad ? 0 : kHex.any[static_cast<uint8_t>(hex[d - pad])];
    if (v < 0) return false;
    if (d % 2 == 0) {
      out[d / 2] = static_cast<uint8_t>(v << 4);
    } else {
      out[d / 2] |= static_cast<uint8_t>(v);
    }
  }
  return true;
}

}  // namespace callpath::text
