// logfmt lines (logrus's text formatter, Go kit, Heroku): space-separated
// key=value pairs, values bare or double-quoted with backslash escapes
// (\" \\ \n \t), a bare key meaning true. Values stay strings. Then
// ApplyWellKnownFields. Pure; thread-safe.
#pragma once

#include <string_view>

#include "logparse/parsed_log.h"

namespace callpath::logparse {

// Fills `out` (which should be empty). False, with `out` untouched, when
// the line does not start with a key=value pair.
bool ParseLogfmt(std::string_view line, ParsedLog* out);

// True when `line` starts like logfmt: an identifier followed by '='.
bool LooksLikeLogfmt(std::string_view line) noexcept;

}  // namespace callpath::logparse
