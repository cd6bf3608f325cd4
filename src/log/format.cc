#include "log/format.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "text/hex.h"
#include "text/json_escape.h"

namespace callpath::log::detail {
namespace {

void AppendLiteral(std::string_view s, Buffer& out) { out.Append(s); }

template <typename T>
void AppendNumber(T v, Buffer& out) {
  char* p = out.Reserve(32);
  auto r = std::to_chars(p, p + 32, v);
  out.Commit(static_cast<size_t>(r.ptr - p));
}

void AppendDouble(double d, Buffer& out) {
  if (std::isnan(d)) return AppendLiteral("\"NaN\"", out);
  if (std::isinf(d)) return AppendLiteral(d > 0 ? "\"+Inf\"" : "\"-Inf\"", out);
  // Shortest round-trip form, but large integral values in exponent form:
  // many JSON parsers reject or truncate integers beyond 64 bits.
  char* p = out.Reserve(32);
  auto r = std::fabs(d) >= 1e15 ? std::to_chars(p, p + 32, d, std::chars_format::scientific)
                                 : std::to_chars(p, p + 32, d);
  out.Commit(static_cast<size_t>(r.ptr - p));
}

void AppendJsonFields(const FieldList& fields, Buffer& out, bool leading_comma);

void AppendJsonValue(const FieldView& f, Buffer& out) {
  switch (f.type()) {
    case FieldType::kString:
    case FieldType::kError: AppendJsonString(f.str(), out); break;
    case FieldType::kInt: AppendNumber(f.int_value(), out); break;
    case FieldType::kUint: AppendNumber(f.uint_value(), out); break;
    case FieldType::kDouble: AppendDouble(f.double_value(), out); break;
    case FieldType::kBool: AppendLiteral(f.bool_value() ? "true" : "false", out); break;
    case FieldType::kDuration:
      out.Append('"');
      AppendDuration(f.int_value(), out);
      out.Append('"');
      break;
    case FieldType::kObject:
      out.Append('{');
      AppendJsonFields(f.object(), out, false);
      out.Append('}');
      break;
    default: AppendLiteral("null", out);
  }
}

void AppendJsonFields(const FieldList& fields, Buffer& out, bool leading_comma) {
  bool comma = leading_comma;
  for (const FieldView& f : fields) {
    if (comma) out.Append(',');
    comma = true;
    AppendJsonString(f.key(), out);
    out.Append(':');
    AppendJsonValue(f, out);
  }
}

void AppendHexId(const uint8_t* bytes, size_t n, Buffer& out) {
  char* p = out.Reserve(2 * n + 2);
  p[0] = '"';
  text::HexEncode(bytes, n, p + 1);
  p[2 * n + 1] = '"';
  out.Commit(2 * n + 2);
}

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) noexcept {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

void Put2(char* p, unsigned v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void AppendJsonString(std::string_view s, Buffer& out) {
  char* start = out.Reserve(text::MaxJsonQuotedSize(s.size()));
  out.Commit(static_cast<size_t>(text::WriteJsonQuoted(s, start) - start));
}

void AppendTimestamp(uint64_t unix_nanos, Buffer& out) {
  // The date and time part changes once a second: format it once.
  thread_local uint64_t cached_second = UINT64_MAX;
  thread_local char cached[20];
  uint64_t sec = unix_nanos / 1000000000u;
  uint32_t frac = static_cast<uint32_t>(unix_nanos % 1000000000u);
  if (sec != cached_second) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(static_cast<int64_t>(sec / 86400), &y, &m, &d);
    unsigned sod = static_cast<unsigned>(sec % 86400);
    char* c = cached;
    Put2(c, static_cast<unsigned>(y / 100 % 100));
    Put2(c + 2, static_cast<unsigned>(y % 100));
    c[4] = '-';
    Put2(c + 5, m);
    c[7] = '-';
    Put2(c + 8, d);
    c[10] = 'T';
    Put2(c + 11, sod / 3600);
    c[13] = ':';
    Put2(c + 14, sod / 60 % 60);
    c[16] = ':';
    Put2(c + 17, sod % 60);
    c[19] = '.';
    cached_second = sec;
  }
  char* p = out.Reserve(30);
  std::memcpy(p, cached, 20);
  for (int i = 28; i >= 20; --i) {
    p[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  p[29] = 'Z';
  out.Commit(30);
}

void AppendDuration(int64_t nanos, Buffer& out) {
  uint64_t abs = nanos < 0 ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  if (nanos < 0) out.Append('-');
  if (abs < 1000) {
    AppendNumber(abs, out);
    out.Append(std::string_view("ns"));
    return;
  }
  uint64_t div;
  int digits;
  std::string_view unit;
  if (abs < 1000000) {
    div = 1000, digits = 3, unit = "us";
  } else if (abs < 1000000000) {
    div = 1000000, digits = 6, unit = "ms";
  } else {
    div = 1000000000, digits = 9, unit = "s";
  }
  AppendNumber(abs / div, out);
  uint64_t frac = abs % div;
  if (frac) {
    char buf[10];
    for (int i = digits - 1; i >= 0; --i) {
      buf[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    int len = digits;
    while (len > 0 && buf[len - 1] == '0') --len;
    out.Append('.');
    out.Append(std::string_view(buf, static_cast<size_t>(len)));
  }
  out.Append(unit);
}

std::string_view ShortFile(std::string_view file) noexcept {
  size_t last = file.rfind('/');
  if (last != std::string_view::npos && last > 0) {
    size_t prev = file.rfind('/', last - 1);
    file.remove_prefix(prev == std::string_view::npos ? 0 : prev + 1);
  }
  return file;
}

void AppendCaller(std::string_view file, uint32_t line, Buffer& out) {
  file = ShortFile(file);
  // A file name from the compiler is plain text, but escape it anyway so a
  // strange path can never break the line.
  char num[16];
  auto r = std::to_chars(num, num + sizeof num, line);
  Buffer tmp;
  tmp.Append(file);
  tmp.Append(':');
  tmp.Append(std::string_view(num, static_cast<size_t>(r.ptr - num)));
  AppendJsonString(tmp.view(), out);
}

void AppendJsonLine(const Record& r, Buffer& out) {
  AppendLiteral("{\"timestamp\":\"", out);
  AppendTimestamp(r.time_unix_nano, out);
  AppendLiteral("\",\"level\":\"", out);
  AppendLiteral(LevelName(r.level), out);
  AppendLiteral("\",\"msg\":", out);
  AppendJsonString(r.message, out);
  AppendLiteral(",\"service_name\":", out);
  AppendJsonString(r.service_name, out);
  if (r.trace_id.IsValid()) {
    AppendLiteral(",\"trace_id\":", out);
    AppendHexId(r.trace_id.bytes().data(), 16, out);
    AppendLiteral(",\"span_id\":", out);
    AppendHexId(r.span_id.bytes().data(), 8, out);
  } else {
    AppendLiteral(",\"trace_id\":\"\",\"span_id\":\"\"", out);
  }
  AppendLiteral(",\"caller\":", out);
  AppendCaller(r.file, r.line, out);
  if (!r.logger.empty()) {
    AppendLiteral(",\"logger\":", out);
    AppendJsonString(r.logger, out);
  }
  AppendJsonFields(r.fields, out, true);
  AppendLiteral("}\n", out);
}

}  // namespace callpath::log::detail
