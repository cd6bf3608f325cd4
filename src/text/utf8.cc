#include "text/utf8.h"

#include <cstdint>
#include <cstring>

namespace callpath::text {

bool IsValidUtf8(std::string_view s) noexcept {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    } else if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;  // the tail of a short string, mostly ASCII: no call per byte
      continue;
    }
    const int len = Utf8SequenceLength(s, i);
    if (len < 0) return false;
    i += static_cast<size_t>(len);
  }
  return true;
}

void AppendSanitizedUtf8(std::string_view s, std::string* out) {
  size_t run = 0, i = 0;  // s[run, i) is valid and not yet appended
  while (i < s.size()) {
    const int len = Utf8SequenceLength(s, i);
    if (len > 0) {
      i += static_cast<size_t>(len);
      continue;
    }
    out->append(s.data() + run, i - run);
    out->append(kReplacementUtf8);
    i += static_cast<size_t>(-len);
    run = i;
  }
  out->append(s.data() + run, s.size() - run);
}

char32_t DecodeUtf8(std::string_view s, size_t* i) noexcept {
  const int len = Utf8SequenceLength(s, *i);
  if (len < 0) {
    *i += static_cast<size_t>(-len);
    return 0xFFFD;
  }
  const auto b = [&](int k) { return static_cast<char32_t>(static_cast<uint8_t>(s[*i + k])); };
  char32_t cp;
  switch (len) {
    case 1: cp = b(0); break;
    case 2: cp = (b(0) & 0x1F) << 6 | (b(1) & 0x3F); break;
    case 3: cp = (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F); break;
    default: cp = (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
  }
  *i += static_cast<size_t>(len);
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  char buf[4];
  size_t n;
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    n = 1;
  } else if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 4;
  }
  out->append(buf, n);
}

}  // namespace callpath::text
