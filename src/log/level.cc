#include "callpath/log/level.h"

#include <cctype>
#include <string>

namespace callpath::log {

std::string_view LevelName(Level level) noexcept {
  switch (level) {
    case Level::kTrace: return "trace";
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    case Level::kFatal: return "fatal";
    case Level::kOff: return "off";
  }
  return "off";
}

std::optional<Level> ParseLevel(std::string_view text) noexcept {
  char lower[16];
  if (text.empty() || text.size() >= sizeof(lower)) return std::nullopt;
  for (size_t i = 0; i < text.size(); ++i) {
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  std::string_view t(lower, text.size());
  if (t == "trace") return Level::kTrace;
  if (t == "debug") return Level::kDebug;
  if (t == "info") return Level::kInfo;
  if (t == "warn" || t == "warning") return Level::kWarn;
  if (t == "error" || t == "err") return Level::kError;
  if (t == "fatal" || t == "critical") return Level::kFatal;
  if (t == "off" || t == "none") return Level::kOff;
  return std::nullopt;
}

int OtlpSeverityNumber(Level level) noexcept {
  switch (level) {
    case Level::kTrace: return 1;
    case Level::kDebug: return 5;
    case Level::kInfo: return 9;
    case Level::kWarn: return 13;
    case Level::kError: return 17;
    case Level::kFatal: return 21;
    case Level::kOff: return 0;
  }
  return 0;
}

}  // namespace callpath::log
