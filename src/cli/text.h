// Terminal text helpers for the CLI: safe display of untrusted strings,
// column widths, truncation and human formats for durations and times.
//
// Everything here is pure and accepts any bytes: invalid UTF-8 becomes
// U+FFFD, control characters are shown escaped so that a log message can
// never move the cursor, change colours or reorder text on the terminal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace callpath::cli {

// Makes `s` safe to print: C0/C1 controls, DEL and the bidirectional
// override/isolate characters become visible escapes ("\n", "\t", "\x1b",
// "\u202e"); each ill-formed UTF-8 subsequence becomes U+FFFD.
std::string Sanitize(std::string_view s);

// Columns `s` occupies on a terminal (East Asian wide and emoji = 2,
// combining marks and zero-width characters = 0). `s` must be sanitized.
size_t DisplayWidth(std::string_view s);

// `s` cut to at most `columns` display columns, ending in "…" when cut.
// `s` must be sanitized. columns == 0 gives "".
std::string Truncate(std::string_view s, size_t columns);

// The last `columns` display columns of `s`, starting with "…" when cut.
std::string TruncateLeft(std::string_view s, size_t columns);

// Pads with spaces to `columns` display columns (never cuts).
std::string PadRight(std::string_view s, size_t columns);
std::string PadLeft(std::string_view s, size_t columns);

// "850ns", "12.3µs", "1.25ms", "123ms", "4.56s", "2m05s", "1h02m".
std::string FormatDuration(uint64_t ns);

// "2023-11-14 22:13:20.015" (milliseconds), in UTC or the local time zone.
std::string FormatTimestamp(uint64_t unix_ns, bool utc);

// A logfmt value: bare when it is a plain word, otherwise quoted with
// backslash escapes. The result is sanitized.
std::string LogfmtValue(std::string_view v);

// Percent-encodes a query-string component (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s);

}  // namespace callpath::cli
