#include "logparse/timestamp.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace callpath::logparse {
namespace {

constexpr uint64_t kNanosPerSecond = 1'000'000'000ULL;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Reads exactly `n` digits at s[*i].
bool Digits(std::string_view s, size_t* i, int n, int* out) noexcept {
  if (*i + static_cast<size_t>(n) > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + static_cast<size_t>(k)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += static_cast<size_t>(n);
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) noexcept {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

// ".123456789" or ",123": nanoseconds, digits beyond nine ignored.
uint64_t Fraction(std::string_view s, size_t* i) noexcept {
  if (*i >= s.size() || (s[*i] != '.' && s[*i] != ',')) return 0;
  size_t j = *i + 1;
  uint64_t nanos = 0;
  int digits = 0;
  while (j < s.size() && s[j] >= '0' && s[j] <= '9') {
    if (digits < 9) {
      nanos = nanos * 10 + static_cast<uint64_t>(s[j] - '0');
      ++digits;
    }
    ++j;
  }
  if (j == *i + 1) return 0;
  for (; digits < 9; ++digits) nanos *= 10;
  *i = j;
  return nanos;
}

// "Z", "+02:00", "+0200", "-07", or nothing (UTC): seconds east of UTC.
bool Offset(std::string_view s, size_t* i, int64_t* seconds) noexcept {
  *seconds = 0;
  while (*i < s.size() && s[*i] == ' ') ++*i;
  if (*i >= s.size()) return true;
  if (s[*i] == 'Z' || s[*i] == 'z') {
    ++*i;
    return true;
  }
  if (s[*i] != '+' && s[*i] != '-') return false;
  const int sign = s[*i] == '-' ? -1 : 1;
  ++*i;
  int hh = 0, mm = 0;
  if (!Digits(s, i, 2, &hh)) return false;
  if (*i < s.size() && s[*i] == ':') ++*i;
  if (*i < s.size()) (void)Digits(s, i, 2, &mm);
  if (hh > 23 || mm > 59) return false;
  *seconds = sign * (hh * 3600 + mm * 60);
  return true;
}

bool Assemble(int year, int month, int day, int hh, int mi, int ss, uint64_t nanos, int64_t offset,
              uint64_t* ns) noexcept {
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60)
    return false;
  int64_t secs = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                 hh * 3600 + mi * 60 + ss - offset;
  if (secs < 0 || secs > 16'000'000'000LL) return false;  // beyond year 2477: not a log time
  *ns = static_cast<uint64_t>(secs) * kNanosPerSecond + nanos;
  return true;
}

bool ParseIso(std::string_view s, uint64_t* ns) noexcept {
  size_t i = 0;
  int year, month, day, hh, mi, ss;
  if (!Digits(s, &i, 4, &year) || !Expect(s, &i, '-') || !Digits(s, &i, 2, &month) ||
      !Expect(s, &i, '-') || !Digits(s, &i, 2, &day))
    return false;
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't' && s[i] != ' ')) return false;
  ++i;
  if (!Digits(s, &i, 2, &hh) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &mi) || !Expect(s, &i, ':') ||
      !Digits(s, &i, 2, &ss))
    return false;
  uint64_t nanos = Fraction(s, &i);
  int64_t offset;
  if (!Offset(s, &i, &offset) || i != s.size()) return false;
  return Assemble(year, month, day, hh, mi, ss, nanos, offset, ns);
}

int MonthFromAbbrev(std::string_view m) noexcept {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int k = 0; k < 12; ++k)
    if (m == kMonths[k]) return k + 1;
  return 0;
}

// "15/Jan/2024:10:23:45 +0000"
bool ParseCommonLog(std::string_view s, uint64_t* ns) noexcept {
  size_t i = 0;
  int day, year, hh, mi, ss;
  if (!Digits(s, &i, 2, &day) || !Expect(s, &i, '/') || i + 4 > s.size()) return false;
  int month = MonthFromAbbrev(s.substr(i, 3));
  i += 3;
  if (month == 0 || !Expect(s, &i, '/') || !Digits(s, &i, 4, &year) || !Expect(s, &i, ':') ||
      !Digits(s, &i, 2, &hh) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &mi) || !Expect(s, &i, ':') ||
      !Digits(s, &i, 2, &ss))
    return false;
  uint64_t nanos = Fraction(s, &i);
  int64_t offset;
  if (!Offset(s, &i, &offset) || i != s.size()) return false;
  return Assemble(year, month, day, hh, mi, ss, nanos, offset, ns);
}

bool ParseEpochText(std::string_view s, uint64_t* ns) noexcept {
  if (s.empty() || s.size() > 24) return false;
  bool dot = false;
  for (char c : s) {
    if (c == '.' && !dot) dot = true;
    else if (c < '0' || c > '9') return false;
  }
  uint64_t v = 0;
  if (dot) {
    double d = 0;
    if (std::from_chars(s.data(), s.data() + s.size(), d).ec != std::errc()) return false;
    v = EpochToNanos(d);
  } else {
    int64_t n = 0;
    if (std::from_chars(s.data(), s.data() + s.size(), n).ec != std::errc()) return false;
    v = EpochToNanos(n);
  }
  if (v == 0) return false;
  *ns = v;
  return true;
}

}  // namespace

uint64_t EpochToNanos(double value) noexcept {
  if (!std::isfinite(value) || value <= 0) return 0;
  double ns;
  if (value < 1e11) ns = value * 1e9;
  else if (value < 1e14) ns = value * 1e6;
  else if (value < 1e17) ns = value * 1e3;
  else ns = value;
  if (ns >= 1.8e19) return 0;
  return static_cast<uint64_t>(ns);
}

uint64_t EpochToNanos(int64_t value) noexcept {
  if (value <= 0) return 0;
  const uint64_t v = static_cast<uint64_t>(value);
  if (v < 100'000'000'000ULL) return v * kNanosPerSecond;
  if (v < 100'000'000'000'000ULL) return v * 1'000'000ULL;
  if (v < 100'000'000'000'000'000ULL) return v * 1'000ULL;
  return v;
}

bool ParseTimestamp(std::string_view text, uint64_t* ns) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '[')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == ']')) text.remove_suffix(1);
  if (text.size() < 8 || text.size() > 40) return ParseEpochText(text, ns);
  if (text[4] == '-') return ParseIso(text, ns);
  if (text[2] == '/') return ParseCommonLog(text, ns);
  return ParseEpochText(text, ns);
}

}  // namespace callpath::logparse
