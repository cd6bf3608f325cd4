#include "text/json_escape.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "text/hex.h"
#include "text/utf8.h"

namespace callpath::text {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

// The high bit of each of the eight bytes of `w` that is below 0x20, '"',
// '\\' or non-ASCII. The borrow tricks never miss such a byte; a borrow may
// also mark a byte after one, so only the first mark is exact.
uint64_t AttentionMask(uint64_t w) noexcept {
  const auto zero_bytes = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return (w & kHighs) | below_space | zero_bytes(w ^ (kOnes * '"')) | zero_bytes(w ^ (kOnes * '\\'));
}

size_t FirstMarkedByte(uint64_t mask) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    return static_cast<size_t>(std::countr_zero(mask)) / 8;
  } else {
    return static_cast<size_t>(std::countl_zero(mask)) / 8;
  }
}

// Writes the escape of the ASCII byte `c` at p; returns its length.
size_t Escape(unsigned char c, char* p) noexcept {
  p[0] = '\\';
  switch (c) {
    case '"': p[1] = '"'; return 2;
    case '\\': p[1] = '\\'; return 2;
    case '\n': p[1] = 'n'; return 2;
    case '\r': p[1] = 'r'; return 2;
    case '\t': p[1] = 't'; return 2;
    case '\b': p[1] = 'b'; return 2;
    case '\f': p[1] = 'f'; return 2;
    default:
      std::memcpy(p + 1, "u00", 3);
      p[4] = kLowerHexDigits[c >> 4];
      p[5] = kLowerHexDigits[c & 0xf];
      return 6;
  }
}

// 1 for a byte that is copied as it is.
struct PlainTable {
  uint8_t v[256];
  constexpr PlainTable() : v() {
    for (int c = 0x20; c < 0x80; ++c) v[c] = 1;
    v['"'] = 0;
    v['\\'] = 0;
  }
};
constexpr PlainTable kPlain;

// Writes the escaped form of s from *i on at p until *i reaches `stop`
// (it may pass `stop` by up to 7 bytes) and returns the end of the output.
// REQUIRES: room for 6 bytes per byte consumed, plus 8: plain bytes are
// stored eight at a time before it is known how many of them count.
char* EscapeRange(std::string_view s, size_t* i, size_t stop, char* p) noexcept {
  const auto* in = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t at = *i;
  while (at < stop) {
    if (at + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, in + at, 8);
      std::memcpy(p, &w, 8);
      const uint64_t mask = AttentionMask(w);
      if (mask == 0) {
        p += 8;
        at += 8;
        continue;
      }
      const size_t plain = FirstMarkedByte(mask);
      p += plain;
      at += plain;
    } else {
      while (at < n && kPlain.v[in[at]]) *p++ = static_cast<char>(in[at++]);
      if (at == n) break;
    }
    const unsigned char c = in[at];
    if (c < 0x80) {
      p += Escape(c, p);
      ++at;
      continue;
    }
    // Non-ASCII text tends to come in runs (a word of Cyrillic or CJK):
    // stay here while it lasts.
    int len;
    while ((len = Utf8SequenceLength(s, at)) > 0) {
      if (at + 4 <= n) {
        std::memcpy(p, in + at, 4);
      } else {
        std::memcpy(p, in + at, static_cast<size_t>(len));
      }
      p += len;
      at += static_cast<size_t>(len);
      if (at >= n || in[at] < 0x80) break;
    }
    if (len < 0) {
      std::memcpy(p, kReplacementUtf8.data(), 3);
      p += 3;
      at += static_cast<size_t>(-len);
    }
  }
  *i = at;
  return p;
}

// How many bytes at the start of `s` go out unchanged: plain ASCII and
// well-formed UTF-8, up to the first byte to escape or replace. ASCII goes
// eight bytes a step until the first other byte; from there on, byte by
// byte, which is faster for text that mixes scripts.
size_t CleanPrefix(std::string_view s) noexcept {
  const auto* in = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t at = 0;
  for (; at + 8 <= n; at += 8) {
    uint64_t w;
    std::memcpy(&w, in + at, 8);
    if (const uint64_t mask = AttentionMask(w)) {
      at += FirstMarkedByte(mask);
      break;
    }
  }
  for (;;) {
    while (at < n && kPlain.v[in[at]]) ++at;
    if (at == n || in[at] < 0x80) return at;
    const int len = Utf8SequenceLength(s, at);
    if (len < 0) return at;
    at += static_cast<size_t>(len);
  }
}

}  // namespace

char* WriteJsonQuoted(std::string_view s, char* out) noexcept {
  *out++ = '"';
  size_t i = 0;
  out = EscapeRange(s, &i, s.size(), out);
  *out++ = '"';
  return out;
}

void AppendJsonQuoted(std::string_view s, std::string* out) {
  // Most strings need no escape at all: find how much goes out unchanged
  // and append it at once. The rest goes a slice at a time through a stack
  // buffer, since growing the string by the worst case would zero-fill six
  // times the input.
  size_t i = CleanPrefix(s);
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  out->append(s.data(), i);
  constexpr size_t kSlice = 256;
  char buf[6 * (kSlice + 8) + 8];
  while (i < s.size()) {
    const char* end = EscapeRange(s, &i, std::min(s.size(), i + kSlice), buf);
    out->append(buf, static_cast<size_t>(end - buf));
  }
  out->push_back('"');
}

}  // namespace callpath::text
