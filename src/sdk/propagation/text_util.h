// Small text helpers shared by the propagators: header whitespace, token
// characters, percent-encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace callpath::propagation {

inline bool IsOws(char c) noexcept { return c == ' ' || c == '\t'; }

// Strips HTTP optional whitespace (spaces and tabs) from both ends.
inline std::string_view TrimOws(std::string_view s) noexcept {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 9110 tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~".
bool IsTchar(unsigned char c) noexcept;
// True if `s` is a non-empty RFC 9110 token (a valid field name).
bool IsToken(std::string_view s) noexcept;

// Calls fn(piece) for each piece of `s` between `sep` characters (an empty
// input yields one empty piece).
template <typename Fn>
void ForEachSplit(std::string_view s, char sep, Fn&& fn) {
  for (;;) {
    size_t pos = s.find(sep);
    fn(s.substr(0, pos));
    if (pos == std::string_view::npos) return;
    s.remove_prefix(pos + 1);
  }
}

// Appends `in` with every "%XX" (any hex case) replaced by its byte. A '%'
// not followed by two hex digits is kept as it is.
void AppendPercentDecoded(std::string_view in, std::string* out);

// Appends `in`, writing every byte for which keep(byte) is false as "%XX"
// (uppercase hex).
void AppendPercentEncoded(std::string_view in, bool (*keep)(unsigned char), std::string* out);
// Size AppendPercentEncoded would append.
size_t PercentEncodedSize(std::string_view in, bool (*keep)(unsigned char)) noexcept;

// RFC 3986 unreserved: ALPHA / DIGIT / "-._~".
bool IsUnreserved(unsigned char c) noexcept;

}  // namespace callpath::propagation
