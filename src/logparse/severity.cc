#include "logparse/severity.h"

#include <string>

namespace callpath::logparse {
namespace {

constexpr int32_t kTrace = 1, kDebug = 5, kInfo = 9, kInfo2 = 10, kWarn = 13, kError = 17,
                  kError2 = 18, kFatal = 21;

struct Name {
  std::string_view name;
  int32_t severity;
};

// Lowercase; a level matches a whole name, never a prefix.
constexpr Name kNames[] = {
    {"trace", kTrace},     {"finest", kTrace},      {"finer", kDebug},     {"fine", kDebug},
    {"debug", kDebug},     {"dbg", kDebug},         {"config", kDebug},    {"info", kInfo},
    {"information", kInfo}, {"informational", kInfo}, {"notice", kInfo2},  {"warn", kWarn},
    {"warning", kWarn},    {"wrn", kWarn},          {"error", kError},     {"err", kError},
    {"eror", kError},      {"severe", kError},      {"dpanic", kError2},   {"crit", kFatal},
    {"critical", kFatal},  {"alert", kFatal},       {"emerg", kFatal},     {"emergency", kFatal},
    {"fatal", kFatal},     {"panic", kFatal},
};

}  // namespace

int32_t SeverityFromNumber(int64_t level) noexcept {
  if (level < 10 || level >= 70) return 0;
  switch (level / 10) {
    case 1: return kTrace;
    case 2: return kDebug;
    case 3: return kInfo;
    case 4: return kWarn;
    case 5: return kError;
    default: return kFatal;
  }
}

int32_t SeverityFromText(std::string_view level) noexcept {
  while (!level.empty() && (level.front() == ' ' || level.front() == '[')) level.remove_prefix(1);
  while (!level.empty() && (level.back() == ' ' || level.back() == ']')) level.remove_suffix(1);
  if (level.empty() || level.size() > 16) return 0;
  if (level.front() >= '0' && level.front() <= '9') {
    int64_t n = 0;
    for (char c : level) {
      if (c < '0' || c > '9') return 0;
      n = n * 10 + (c - '0');
    }
    return SeverityFromNumber(n);
  }
  // slog writes levels between the named ones as "WARN+2", "INFO-4".
  int32_t offset = 0;
  size_t sign = level.find_first_of("+-");
  if (sign != std::string_view::npos && sign > 0 && sign + 1 < level.size() && level.size() - sign <= 3) {
    int n = 0;
    for (char c : level.substr(sign + 1)) {
      if (c < '0' || c > '9') return 0;
      n = n * 10 + (c - '0');
    }
    offset = level[sign] == '-' ? -n : n;
    level = level.substr(0, sign);
  }
  std::string lower(level);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  for (const Name& n : kNames) {
    if (lower != n.name) continue;
    int32_t v = n.severity + offset;
    return v < 1 ? 1 : (v > 24 ? 24 : v);
  }
  return 0;
}

std::string_view SeverityName(int32_t severity) noexcept {
  static constexpr std::string_view kNames[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  if (severity < 1 || severity > 24) return {};
  return kNames[(severity - 1) / 4];
}

int32_t SeverityFromHttpStatus(int64_t status) noexcept {
  if (status < 100 || status > 599) return 0;
  if (status >= 500) return kError;
  if (status >= 400) return kWarn;
  return kInfo;
}

}  // namespace callpath::logparse
