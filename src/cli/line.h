// Builds one output line from sanitized pieces, each optionally coloured,
// cutting the line with "…" at a column limit. Truncation is computed on
// the visible text, so colour escapes never count towards the width and
// are never cut in half.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/style.h"

namespace callpath::cli {

class Line {
 public:
  // width 0 = no limit.
  Line(const Style& style, size_t width) : style_(style), width_(width) {}

  // Appends sanitized text. Once the limit is reached, the piece that did
  // not fit ends in "…" and later pieces are dropped.
  Line& Add(std::string_view text);
  Line& Add(std::string_view text, Tone tone);

  size_t used() const { return used_; }

  // The line with trailing spaces removed and a final '\n'.
  std::string Finish() const;

 private:
  Line& Append(std::string_view text, std::optional<Tone> tone);
  const Style& style_;
  size_t width_;
  size_t used_ = 0;
  bool full_ = false;
  std::vector<std::pair<std::string, std::optional<Tone>>> pieces_;
};

}  // namespace callpath::cli
