#include "sdk/propagation/text_util.h"

#include "callpath/ids.h"

namespace callpath::propagation {
namespace {

int HexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kUpperHex[] = "0123456789ABCDEF";

}  // namespace

bool IsTchar(unsigned char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTchar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsUnreserved(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

void AppendPercentDecoded(std::string_view in, std::string* out) {
  out->reserve(out->size() + in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out->push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    out->push_back(in[i]);
  }
}

void AppendUtf8Sanitized(std::string_view in, std::string* out) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // Expected length and the allowed range of the second byte (Unicode
    // Table 3-7), which excludes overlongs, surrogates and > U+10FFFF.
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    if (len == 0) {  // a stray continuation byte or an impossible lead byte
      out->append(kReplacement);
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool ok = true;
    for (size_t k = 1; k < len; ++k, ++j) {
      unsigned char b = j < n ? s[j] : 0;
      unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
      if (j >= n || b < min || b > max) {
        ok = false;
        break;
      }
    }
    if (ok) {
      out->append(in.substr(i, len));
    } else {
      out->append(kReplacement);  // the maximal subpart s[i, j) becomes one U+FFFD
    }
    i = j;
  }
}

void AppendPercentEncoded(std::string_view in, bool (*keep)(unsigned char), std::string* out) {
  out->reserve(out->size() + in.size());
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (keep(c)) {
      out->push_back(ch);
    } else {
      out->push_back('%');
      out->push_back(kUpperHex[c >> 4]);
      out->push_back(kUpperHex[c & 0xF]);
    }
  }
}

size_t PercentEncodedSize(std::string_view in, bool (*keep)(unsigned char)) noexcept {
  size_t n = 0;
  for (char ch : in) n += keep(static_cast<unsigned char>(ch)) ? 1 : 3;
  return n;
}

bool ParsePaddedHex(std::string_view hex, uint8_t* out, size_t n) noexcept {
  if (hex.empty() || hex.size() > 2 * n) return false;
  char padded[64];
  if (2 * n > sizeof(padded)) return false;
  const size_t pad = 2 * n - hex.size();
  for (size_t i = 0; i < pad; ++i) padded[i] = '0';
  for (size_t i = 0; i < hex.size(); ++i) padded[pad + i] = hex[i];
  return detail::HexToBytesAnyCase(std::string_view(padded, 2 * n), out, n);
}

}  // namespace callpath::propagation
