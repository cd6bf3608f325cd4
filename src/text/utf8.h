// UTF-8 validation, repair, decoding and encoding.
//
// Protobuf `string` fields and JSON both require valid UTF-8 (libprotobuf
// rejects a proto3 message whose string field is not), yet spans and log
// lines carry whatever bytes an application hands over. Every writer in
// callpath repairs text with the same rule, so one string reads the same in
// protobuf, in JSON and on the terminal:
//
//   each maximal ill-formed subsequence becomes one U+FFFD
//
// (Unicode 15, section 3.9, "U+FFFD Substitution of Maximal Subparts"; the
// WHATWG Encoding Standard, ICU and Python decode the same way). Well-formed
// means RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
// Examples: "\xFF" -> 1 U+FFFD; "\xE2\x82" (cut short) -> 1; "\xC0\xAF"
// (overlong) -> 2, since C0 can start nothing; "\xED\xA0\x80" (surrogate) -> 3.
//
// All functions accept any bytes and are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace callpath::text {

// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

// The well-formed sequence at s[i] (REQUIRES: i < s.size()): its length
// (1..4), or, when it is ill-formed, minus the length of the maximal subpart
// that one U+FFFD replaces (-1..-3).
// Inline: the JSON escaper calls it for every non-ASCII character.
inline int Utf8SequenceLength(std::string_view s, size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  int len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (Unicode table 3-7)
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;  // a stray continuation byte, C0, C1 or F5..FF
  }
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size()) return -k;
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return -k;
  }
  return len;
}

// True when `s` is well-formed UTF-8. Eight bytes a step over ASCII.
bool IsValidUtf8(std::string_view s) noexcept;

// Appends `s` with every maximal ill-formed subsequence replaced by U+FFFD;
// valid text is appended unchanged.
void AppendSanitizedUtf8(std::string_view s, std::string* out);

// Decodes the code point at s[*i] (REQUIRES: *i < s.size()) and advances *i
// past it; an ill-formed subsequence decodes as U+FFFD and is skipped whole.
char32_t DecodeUtf8(std::string_view s, size_t* i) noexcept;

// Appends the UTF-8 form of `cp`; surrogates and values above U+10FFFF,
// which have none, append U+FFFD.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace callpath::text
