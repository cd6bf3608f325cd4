// JSON string literals: the one escaper behind every JSON writer in callpath
// (SDK OTLP/JSON export, logger, daemon, query APIs, gateway).
//
// Guarantees, whatever bytes go in:
//  - the output is one valid JSON string literal (RFC 8259), quotes included;
//  - the output is valid UTF-8: each maximal ill-formed UTF-8 subsequence
//    becomes U+FFFD, the rule of text/utf8.h, so JSON, protobuf and terminal
//    output of one string agree (Go's encoding/json and zap also substitute
//    U+FFFD, though one per invalid byte);
//  - escaped: '"' and '\\' as \" and \\; \b \f \n \r \t; every other byte
//    below 0x20 as \u00XX (lowercase hex);
//  - not escaped: '/', DEL, and U+2028/U+2029 (valid in JSON, and in
//    JavaScript since ES2019; callpath's JSON is read by JSON parsers, never
//    pasted into a <script>), nor any other valid character: fewest bytes.
// Speed: plain ASCII is checked and copied eight bytes a step; the logger
// writes straight into its buffer (WriteJsonQuoted), and AppendJsonQuoted
// appends text that needs no escape in one piece.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace callpath::text {

// The room WriteJsonQuoted needs for an input of n bytes: 6 a byte (a
// control character takes 6), 2 quotes, and 8 for its eight-byte stores.
constexpr size_t MaxJsonQuotedSize(size_t n) noexcept { return 6 * n + 10; }

// Writes `s` as a quoted JSON string at `out` and returns the end of what it
// wrote. REQUIRES: `out` has room for MaxJsonQuotedSize(s.size()) bytes.
char* WriteJsonQuoted(std::string_view s, char* out) noexcept;

// Appends `s` as a quoted JSON string to *out.
void AppendJsonQuoted(std::string_view s, std::string* out);

}  // namespace callpath::text
