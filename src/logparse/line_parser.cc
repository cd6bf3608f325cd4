#include "logparse/line_parser.h"

#include <algorithm>

#include "logparse/logfmt.h"
#include "logparse/severity.h"
#include "logparse/timestamp.h"
#include "logparse/trace_ids.h"

namespace callpath::logparse {
namespace {

// Level words are looked for only this far into a line: further on, "ERROR"
// is more likely part of the message than the line's level.
constexpr size_t kLevelWindow = 96;

// A timestamp at the very start: "2024-01-15T10:23:45Z ..." or
// "2024-01-15 10:23:45,123 ..." (up to the first or the second space).
void ReadLeadingTime(std::string_view line, ParsedLog* out) {
  if (line.size() < 19 || line[4] != '-') return;
  size_t first = line.find(' ');
  if (first != std::string_view::npos && ParseTimestamp(line.substr(0, first), &out->time_ns)) return;
  if (first == std::string_view::npos) {
    (void)ParseTimestamp(line, &out->time_ns);
    return;
  }
  size_t second = line.find(' ', first + 1);
  (void)ParseTimestamp(line.substr(0, second), &out->time_ns);
}

// The first upper-case level word ("INFO", "WARNING") or bracketed one
// ("[error]") near the start of the line.
void ReadLevelWord(std::string_view line, ParsedLog* out) {
  const size_t end = std::min(line.size(), kLevelWindow);
  size_t i = 0;
  while (i < end) {
    auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!is_letter(line[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    bool upper = true;
    while (i < line.size() && is_letter(line[i])) upper &= line[i++] <= 'Z';
    std::string_view word = line.substr(start, i - start);
    bool bracketed = start > 0 && line[start - 1] == '[' && i < line.size() && line[i] == ']';
    if (word.size() < 4 || !(upper || bracketed)) continue;
    int32_t severity = SeverityFromText(word);
    if (severity == 0) continue;
    out->severity_number = severity;
    out->severity_text = std::string(word);
    return;
  }
}

}  // namespace

void ParsePlainText(std::string_view line, ParsedLog* out) {
  out->body = std::string(line);
  ReadLeadingTime(line, out);
  ReadLevelWord(line, out);
  PickTraceContext(*out);
}

Result<std::unique_ptr<LineParser>> LineParser::Create(std::string_view format) {
  LineFormat f;
  std::unique_ptr<RegexLineParser> regex;
  if (format.empty() || format == "auto") f = LineFormat::kAuto;
  else if (format == "json") f = LineFormat::kJson;
  else if (format == "logfmt") f = LineFormat::kLogfmt;
  else if (format == "text") f = LineFormat::kText;
  else if (format.substr(0, 6) == "regex:") {
    f = LineFormat::kRegex;
    auto created = RegexLineParser::Create(format.substr(6));
    if (!created.ok()) return created.status();
    regex = std::move(created).value();
  } else {
    return InvalidArgument("unknown log format '" + std::string(format) +
                           "'; use auto, json, logfmt, text or regex:PATTERN");
  }
  return std::unique_ptr<LineParser>(new LineParser(f, std::move(regex)));
}

ParsedLog LineParser::Parse(std::string_view line) {
  ParsedLog r;
  bool parsed = false;
  switch (format_) {
    case LineFormat::kAuto:
      parsed = json_.Parse(line, &r) || ParseLogfmt(line, &r);
      break;
    case LineFormat::kJson: parsed = json_.Parse(line, &r); break;
    case LineFormat::kLogfmt: parsed = ParseLogfmt(line, &r); break;
    case LineFormat::kRegex: parsed = regex_->Parse(line, &r); break;
    case LineFormat::kText: break;
  }
  if (!parsed) ParsePlainText(line, &r);
  return r;
}

}  // namespace callpath::logparse
