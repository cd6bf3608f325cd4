#include "text/json_escape.h"

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

// The first position from i on whose byte needs more than a copy, or n.
// Eight bytes a step; the last few are tested in a word padded with plain
// bytes.
size_t SkipPlain(const unsigned char* in, size_t i, size_t n) noexcept {
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, in + i, 8);
    if (const uint64_t mask = AttentionMask(w)) return i + FirstMarkedByte(mask);
  }
  if (i == n) return n;
  uint64_t w = kOnes * 'a';
  std::memcpy(&w, in + i, n - i);
  const uint64_t mask = AttentionMask(w);
  return mask != 0 ? i + FirstMarkedByte(mask) : n;
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

// Calls copy(from, n) for runs that go out unchanged and for escapes and
// replacements, in order. One loop for both output kinds so they cannot
// drift apart.
template <typename Copy>
void EscapeTo(std::string_view s, Copy&& copy) {
  const auto* in = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t run = 0, i = 0;  // s[run, i) goes out unchanged
  while ((i = SkipPlain(in, i, n)) < n) {
    if (in[i] >= 0x80) {
      const int len = Utf8SequenceLength(s, i);
      if (len > 0) {  // valid: stays in the run
        i += static_cast<size_t>(len);
        continue;
      }
      copy(s.data() + run, i - run);
      copy(kReplacementUtf8.data(), kReplacementUtf8.size());
      i += static_cast<size_t>(-len);
    } else {
      copy(s.data() + run, i - run);
      char esc[6];
      copy(esc, Escape(in[i], esc));
      ++i;
    }
    run = i;
  }
  copy(s.data() + run, n - run);
}

}  // namespace

char* WriteJsonQuoted(std::string_view s, char* out) noexcept {
  *out++ = '"';
  EscapeTo(s, [&out](const char* p, size_t len) {
    std::memcpy(out, p, len);
    out += len;
  });
  *out++ = '"';
  return out;
}

void AppendJsonQuoted(std::string_view s, std::string* out) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  EscapeTo(s, [out](const char* p, size_t len) { out->append(p, len); });
  out->push_back('"');
}

}  // namespace callpath::text
