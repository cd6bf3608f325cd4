#include "cli/style.h"

namespace callpath::cli {

std::string Style::operator()(Tone tone, std::string_view text) const {
  if (!enabled_ || text.empty()) return std::string(text);
  const char* code = "";
  switch (tone) {
    case Tone::kBold: code = "1"; break;
    case Tone::kDim: code = "2"; break;
    case Tone::kRed: code = "31"; break;
    case Tone::kBoldRed: code = "1;31"; break;
    case Tone::kYellow: code = "33"; break;
    case Tone::kGreen: code = "32"; break;
    case Tone::kCyan: code = "36"; break;
    case Tone::kMagenta: code = "35"; break;
  }
  std::string out = "\x1b[";
  out += code;
  out += 'm';
  out += text;
  out += "\x1b[0m";
  return out;
}

Tone Style::LevelTone(std::string_view level) {
  char c = level.empty() ? ' ' : level[0];
  switch (c) {
    case 'E': case 'e': case 'F': case 'f': return Tone::kBoldRed;
    case 'W': case 'w': return Tone::kYellow;
    case 'I': case 'i': return Tone::kGreen;
    default: return Tone::kDim;
  }
}

}  // namespace callpath::cli
