#include "sdk/propagation/text_util.h"

#include "text/hex.h"

namespace callpath::propagation {

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
      int hi = text::HexDigitValue(in[i + 1]);
      int lo = text::HexDigitValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out->push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    out->push_back(in[i]);
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
      out->push_back(text::kUpperHexDigits[c >> 4]);
      out->push_back(text::kUpperHexDigits[c & 0xF]);
    }
  }
}

size_t PercentEncodedSize(std::string_view in, bool (*keep)(unsigned char)) noexcept {
  size_t n = 0;
  for (char ch : in) n += keep(static_cast<unsigned char>(ch)) ? 1 : 3;
  return n;
}

}  // namespace callpath::propagation
