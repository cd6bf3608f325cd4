// Joins the lines of one multi-line record - a Java or Python stack trace
// after the line that logged it - into one record, the lines separated by
// '\n'. A line continues the record held before it when it
//   - starts with a space or a tab ("\tat com.x.Y.f(Y.java:10)", "  File …");
//   - starts with "Caused by:", "Suppressed:" or
//     "Traceback (most recent call last):";
//   - names a Java exception class ("java.lang.IllegalStateException: …");
//   - or is the first unindented line after a Python traceback's frames
//     (its "ValueError: …" line).
// A JSON line ('{') always starts a record. Bounded: a record that would
// pass max_lines or max_bytes is cut there and the rest starts a new one.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callpath::logparse {

struct MultilineOptions {
  size_t max_lines = 1000;              // a deep stack trace fits; a runaway stream does not
  size_t max_bytes = 4 * 1024 * 1024;   // beyond the largest single line callers accept
};

// A complete record and the input offset just past its last line.
struct JoinedRecord {
  std::string text;
  uint64_t end_offset = 0;
};

class MultilineJoiner {
 public:
  explicit MultilineJoiner(MultilineOptions options = {}) : options_(options) {}

  // Takes one complete line (without its line ending) that spans input
  // offsets [start_offset, end_offset) with its ending. Returns the record
  // held before it when `line` starts a new one (or the held one is full).
  std::optional<JoinedRecord> Add(std::string_view line, uint64_t start_offset, uint64_t end_offset);

  // The record held, if any (end of input, or no new line for a while).
  std::optional<JoinedRecord> Flush();

  bool holding() const noexcept { return lines_ > 0; }
  // Input offset where the held record starts (the resume point of a
  // reader that has sent everything before it).
  uint64_t held_start_offset() const noexcept { return start_offset_; }

 private:
  bool Continues(std::string_view line);
  MultilineOptions options_;
  std::string held_;
  size_t lines_ = 0;
  uint64_t start_offset_ = 0;
  uint64_t end_offset_ = 0;
  bool in_python_traceback_ = false;
};

}  // namespace callpath::logparse
