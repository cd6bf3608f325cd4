// Severity levels of callpath::log, in increasing order.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace callpath::log {

enum class Level : uint8_t {
  kTrace = 0,
  kDebug = 1,
  kInfo = 2,
  kWarn = 3,
  kError = 4,
  kFatal = 5,
  kOff = 6,  // as a threshold: nothing passes
};

// "trace", "debug", "info", "warn", "error", "fatal", "off".
std::string_view LevelName(Level level) noexcept;

// Case-insensitive; also accepts "warning", "err", "critical" (= fatal) and
// "none" (= off). nullopt for anything else.
std::optional<Level> ParseLevel(std::string_view text) noexcept;

// OTLP SeverityNumber: TRACE=1, DEBUG=5, INFO=9, WARN=13, ERROR=17, FATAL=21.
int OtlpSeverityNumber(Level level) noexcept;

}  // namespace callpath::log
