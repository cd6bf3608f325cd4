// Hex text of bytes: trace and span ids, percent-encoding, \u escapes.
// Encoding writes lowercase (W3C Trace Context, OTLP/JSON, Jaeger). Parsing
// takes no whitespace, sign or "0x": callers trim what their format allows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace callpath::text {

inline constexpr char kLowerHexDigits[] = "0123456789abcdef";
inline constexpr char kUpperHexDigits[] = "0123456789ABCDEF";

// The value of one hex digit of either case, or -1.
int HexDigitValue(char c) noexcept;

// Writes 2*n lowercase hex characters for the n bytes at `bytes`; no
// terminator.
void HexEncode(const uint8_t* bytes, size_t n, char* out) noexcept;
// Appends the lowercase hex of `bytes`.
void AppendHex(std::string_view bytes, std::string* out);
std::string HexString(std::string_view bytes);

enum class HexCase {
  kLowerOnly,  // W3C traceparent and B3 require lowercase ids
  kAny,        // OTLP/JSON ids, URLs and uber-trace-id accept either case
};

// Parses exactly 2*n hex digits into n bytes; false on another length or a
// character that is not a digit of the accepted case (then *out is
// unspecified).
bool HexDecode(std::string_view hex, uint8_t* out, size_t n, HexCase accept) noexcept;

// Parses 1..2*n hex digits of either case into n bytes as a number, that
// is left-padded with zeros: Jaeger clients drop an id's leading zeros.
bool HexDecodeLeftPadded(std::string_view hex, uint8_t* out, size_t n) noexcept;

}  // namespace callpath::text
