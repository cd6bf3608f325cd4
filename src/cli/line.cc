#include "cli/line.h"

#include "cli/text.h"

namespace callpath::cli {

Line& Line::Add(std::string_view text) { return Append(text, std::nullopt); }
Line& Line::Add(std::string_view text, Tone tone) { return Append(text, tone); }

Line& Line::Append(std::string_view text, std::optional<Tone> tone) {
  if (full_ || text.empty()) return *this;
  size_t w = DisplayWidth(text);
  if (width_ == 0 || used_ + w <= width_) {
    pieces_.emplace_back(std::string(text), tone);
    used_ += w;
    return *this;
  }
  if (used_ == width_) {
    // No room left to show that something was cut: the last visible
    // column of what is already there gives way to the ellipsis.
    for (auto it = pieces_.rbegin(); it != pieces_.rend(); ++it) {
      size_t w_prev = DisplayWidth(it->first);
      if (w_prev == 0) continue;
      it->first = Truncate(it->first + " ", w_prev);
      used_ = used_ - w_prev + DisplayWidth(it->first);
      break;
    }
    full_ = true;
    return *this;
  }
  std::string cut = Truncate(text, width_ - used_);
  used_ += DisplayWidth(cut);
  pieces_.emplace_back(std::move(cut), tone);
  full_ = true;
  return *this;
}

std::string Line::Finish() const {
  // Trailing blanks only come from padding; drop them so output diffs
  // and golden files stay clean.
  size_t last = pieces_.size();
  std::string tail;
  while (last > 0) {
    const std::string& p = pieces_[last - 1].first;
    size_t end = p.find_last_not_of(' ');
    if (end != std::string::npos) {
      tail = p.substr(0, end + 1);
      break;
    }
    --last;
  }
  std::string out;
  for (size_t i = 0; i < last; ++i) {
    const auto& [text, tone] = pieces_[i];
    const std::string& t = i + 1 == last ? tail : text;
    out += tone ? style_(*tone, t) : t;
  }
  out += '\n';
  return out;
}

}  // namespace callpath::cli
