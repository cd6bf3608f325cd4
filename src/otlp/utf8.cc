#include "callpath/otlp/utf8.h"

#include <cstdint>
#include <cstring>

namespace callpath::otlp {

int Utf8SequenceLength(std::string_view s, size_t i) noexcept {
  const uint8_t b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) return 1;
  int len;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte (Unicode table 3-7)
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;  // a stray continuation byte, C0, C1 or F5..FF
  }
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size()) return -k;
    const uint8_t b = static_cast<uint8_t>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return -k;
  }
  return len;
}

bool IsValidUtf8(std::string_view s) noexcept {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    // ASCII fast path, eight bytes at a time.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    const int len = Utf8SequenceLength(s, i);
    if (len < 0) return false;
    i += static_cast<size_t>(len);
  }
  return true;
}

void AppendSanitizedUtf8(std::string_view s, std::string* out) {
  size_t run = 0, i = 0;
  while (i < s.size()) {
    const int len = Utf8SequenceLength(s, i);
    if (len > 0) {
      i += static_cast<size_t>(len);
      continue;
    }
    out->append(s.data() + run, i - run);
    out->append("\xEF\xBF\xBD");
    i += static_cast<size_t>(-len);
    run = i;
  }
  out->append(s.data() + run, s.size() - run);
}

}  // namespace callpath::otlp
