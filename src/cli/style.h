// ANSI colouring that is a no-op when colours are off, so renderers call
// it unconditionally.
#pragma once

#include <string>
#include <string_view>

namespace callpath::cli {

enum class Tone { kBold, kDim, kRed, kBoldRed, kYellow, kGreen, kCyan, kMagenta };

class Style {
 public:
  explicit Style(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  // `text` wrapped in the tone's SGR escape and a reset, or `text` as is.
  std::string operator()(Tone tone, std::string_view text) const;
  // The tone for a log level name ("ERROR", "warn", ...).
  static Tone LevelTone(std::string_view level);

 private:
  bool enabled_;
};

}  // namespace callpath::cli
