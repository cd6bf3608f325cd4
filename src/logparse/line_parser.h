// One entry point for a line of a log file or a pushed log entry: the
// format chosen by name, and a record whatever the line holds.
//
//   "auto"    '{' -> JSON lines, "key=" at the start -> logfmt, else text;
//   "json", "logfmt": that format, falling back to text when a line is not;
//   "text":   the line is the body; a leading timestamp and an upper-case
//             level word (INFO, WARN, [error], ...) near the start are read;
//   "regex:PATTERN" or "regex:PRESET" (regex_line.h), text when no match.
// In every case the trace context is picked (trace_ids.h).
#pragma once

#include <memory>
#include <string_view>

#include "callpath/status.h"
#include "logparse/json_line.h"
#include "logparse/parsed_log.h"
#include "logparse/regex_line.h"

namespace callpath::logparse {

enum class LineFormat { kAuto, kJson, kLogfmt, kText, kRegex };

// Holds per-format state (the JSON parser's buffers): one per thread.
class LineParser {
 public:
  // InvalidArgument for an unknown format name or a bad regex.
  static Result<std::unique_ptr<LineParser>> Create(std::string_view format);

  // Never fails: a line its format does not fit becomes a text record.
  ParsedLog Parse(std::string_view line);

  LineFormat format() const noexcept { return format_; }

 private:
  LineParser(LineFormat format, std::unique_ptr<RegexLineParser> regex)
      : format_(format), regex_(std::move(regex)) {}
  LineFormat format_;
  std::unique_ptr<RegexLineParser> regex_;
  JsonLineParser json_;
};

// The "text" format: body = line, a leading timestamp and a level word read.
void ParsePlainText(std::string_view line, ParsedLog* out);

}  // namespace callpath::logparse
