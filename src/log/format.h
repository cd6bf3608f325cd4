// Text encoders shared by the sinks: the JSON line every file sink writes,
// and the human-readable console line. Both run on the background thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "callpath/log/record.h"
#include "callpath/log/sink.h"

namespace callpath::log::detail {

// Appends one JSON object and '\n'. Always a single valid line: control
// characters, quotes and backslashes are escaped and each ill-formed UTF-8
// subsequence becomes U+FFFD (text/json_escape.h), in the message, the keys
// and the values.
void AppendJsonLine(const Record& record, Buffer& out);

// Appends `s` as a JSON string literal, quotes included (text::WriteJsonQuoted).
void AppendJsonString(std::string_view s, Buffer& out);

// "2025-01-02T03:04:05.123456789Z" (RFC 3339, UTC, 9 fraction digits).
void AppendTimestamp(uint64_t unix_nanos, Buffer& out);

// Go-style duration text: "250ns", "1.5us", "12.25ms", "3s", "-2ms".
void AppendDuration(int64_t nanos, Buffer& out);

// The last two components of a path: "dir/file.cc".
std::string_view ShortFile(std::string_view file) noexcept;

// "dir/file.cc:42" as a JSON string.
void AppendCaller(std::string_view file, uint32_t line, Buffer& out);

// One human-readable line with '\n'; ANSI colours when `color`.
void AppendConsoleLine(const Record& record, bool color, Buffer& out);

}  // namespace callpath::log::detail
