#include "cli/text.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "text/hex.h"
#include "text/utf8.h"

namespace callpath::cli {
namespace {

bool IsBidiControl(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

size_t CodepointWidth(char32_t cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
      (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
      (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
      (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF ||
      (cp >= 0xE0100 && cp <= 0xE01EF)) {
    return 0;
  }
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
      (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x1F680 && cp <= 0x1F6FF) ||
      (cp >= 0x20000 && cp <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

}  // namespace

std::string Sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    // Fast path for printable ASCII.
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    char32_t cp = text::DecodeUtf8(s, &i);
    char buf[16];
    if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
      out += buf;
    } else if ((cp >= 0x80 && cp <= 0x9F) || IsBidiControl(cp)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      text::AppendUtf8(cp, &out);
    }
  }
  return out;
}

size_t DisplayWidth(std::string_view s) {
  size_t w = 0, i = 0;
  while (i < s.size()) w += CodepointWidth(text::DecodeUtf8(s, &i));
  return w;
}

std::string Truncate(std::string_view s, size_t columns) {
  if (DisplayWidth(s) <= columns) return std::string(s);
  if (columns == 0) return "";
  std::string out;
  size_t w = 0, i = 0;
  while (i < s.size()) {
    size_t start = i;
    size_t cw = CodepointWidth(text::DecodeUtf8(s, &i));
    if (w + cw > columns - 1) break;  // keep one column for the ellipsis
    out.append(s.substr(start, i - start));
    w += cw;
  }
  out += "…";
  return out;
}

std::string TruncateLeft(std::string_view s, size_t columns) {
  size_t total = DisplayWidth(s);
  if (total <= columns) return std::string(s);
  if (columns == 0) return "";
  // Skip code points until what remains fits in columns - 1.
  size_t w = total, i = 0;
  while (i < s.size() && w > columns - 1) w -= CodepointWidth(text::DecodeUtf8(s, &i));
  return "…" + std::string(s.substr(i));
}

std::string PadRight(std::string_view s, size_t columns) {
  size_t w = DisplayWidth(s);
  std::string out(s);
  if (w < columns) out.append(columns - w, ' ');
  return out;
}

std::string PadLeft(std::string_view s, size_t columns) {
  size_t w = DisplayWidth(s);
  std::string out;
  if (w < columns) out.append(columns - w, ' ');
  out += s;
  return out;
}

std::string FormatDuration(uint64_t ns) {
  char buf[48];
  auto scaled = [&](double v, const char* unit) {
    // Three significant digits: 1.23, 12.3, 123.
    int decimals = v < 10 ? 2 : v < 100 ? 1 : 0;
    std::snprintf(buf, sizeof buf, "%.*f%s", decimals, v, unit);
  };
  if (ns < 1'000) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 "ns", ns);
  } else if (ns < 999'500) {
    scaled(ns / 1e3, "µs");
  } else if (ns < 999'500'000) {
    scaled(ns / 1e6, "ms");
  } else if (ns < 59'995'000'000ull) {
    scaled(ns / 1e9, "s");
  } else if (ns < 3600'000'000'000ull) {
    uint64_t s = (ns + 500'000'000) / 1'000'000'000;
    std::snprintf(buf, sizeof buf, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
  } else {
    uint64_t m = ns / 60'000'000'000ull + (ns % 60'000'000'000ull >= 30'000'000'000ull);
    std::snprintf(buf, sizeof buf, "%" PRIu64 "h%02" PRIu64 "m", m / 60, m % 60);
  }
  return buf;
}

std::string FormatTimestamp(uint64_t unix_ns, bool utc) {
  time_t secs = static_cast<time_t>(unix_ns / 1'000'000'000ull);
  struct tm tm {};
  if (utc) {
    gmtime_r(&secs, &tm);
  } else {
    localtime_r(&secs, &tm);
  }
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03u",
                static_cast<unsigned>(unix_ns % 1'000'000'000ull / 1'000'000));
  return buf;
}

std::string LogfmtValue(std::string_view v) {
  bool plain = !v.empty();
  for (char c : v) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || c == '"' || c == '=' || c == '\\' || u == 0x7F) plain = false;
  }
  if (plain) return Sanitize(v);
  std::string quoted = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return Sanitize(quoted);
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(text::kUpperHexDigits[u >> 4]);
      out.push_back(text::kUpperHexDigits[u & 15]);
    }
  }
  return out;
}

}  // namespace callpath::cli
