#include <charconv>
#include <cmath>

#include "log/format.h"

namespace callpath::log::detail {
namespace {

std::string_view LevelLabel(Level level) noexcept {
  switch (level) {
    case Level::kTrace: return "TRACE";
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO ";
    case Level::kWarn: return "WARN ";
    case Level::kError: return "ERROR";
    case Level::kFatal: return "FATAL";
    default: return "?    ";
  }
}

std::string_view LevelColor(Level level) noexcept {
  switch (level) {
    case Level::kTrace: return "\x1b[90m";
    case Level::kDebug: return "\x1b[36m";
    case Level::kInfo: return "\x1b[32m";
    case Level::kWarn: return "\x1b[33m";
    case Level::kError: return "\x1b[31m";
    default: return "\x1b[1;31m";
  }
}

// Plain words are printed bare; anything with spaces, quotes, '=',
// control bytes or non-ASCII is quoted and escaped, so a value can never
// forge a line or a terminal escape.
bool IsBare(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '=' || c == '\\') return false;
  }
  return true;
}

void AppendText(std::string_view s, Buffer& out) {
  if (IsBare(s)) {
    out.Append(s);
  } else {
    AppendJsonString(s, out);
  }
}

template <typename T>
void AppendNumber(T v, Buffer& out) {
  char* p = out.Reserve(32);
  auto r = std::to_chars(p, p + 32, v);
  out.Commit(static_cast<size_t>(r.ptr - p));
}

void AppendFields(const FieldList& fields, bool color, Buffer& out) {
  for (const FieldView& f : fields) {
    out.Append(' ');
    if (color) out.Append(std::string_view("\x1b[2m"));
    AppendText(f.key(), out);
    out.Append('=');
    if (color) out.Append(std::string_view("\x1b[0m"));
    switch (f.type()) {
      case FieldType::kString:
      case FieldType::kError: AppendText(f.str(), out); break;
      case FieldType::kInt: AppendNumber(f.int_value(), out); break;
      case FieldType::kUint: AppendNumber(f.uint_value(), out); break;
      case FieldType::kDouble: {
        double d = f.double_value();
        if (std::isfinite(d)) {
          AppendNumber(d, out);
        } else {
          out.Append(std::string_view(std::isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf"));
        }
        break;
      }
      case FieldType::kBool: out.Append(std::string_view(f.bool_value() ? "true" : "false")); break;
      case FieldType::kDuration: AppendDuration(f.int_value(), out); break;
      case FieldType::kObject:
        out.Append('{');
        AppendFields(f.object(), false, out);
        out.Append(std::string_view(" }"));
        break;
    }
  }
}

}  // namespace

void AppendConsoleLine(const Record& r, bool color, Buffer& out) {
  AppendTimestamp(r.time_unix_nano, out);
  out.Append(' ');
  if (color) out.Append(LevelColor(r.level));
  out.Append(LevelLabel(r.level));
  if (color) out.Append(std::string_view("\x1b[0m"));
  out.Append(' ');
  if (!r.logger.empty()) {
    AppendText(r.logger, out);
    out.Append(std::string_view(": "));
  }
  // The message is free text: printed as is unless it holds bytes that
  // could break the line.
  bool plain = true;
  for (unsigned char c : r.message) {
    if (c < 0x20 || c == 0x7f || c >= 0x80) plain = false;
  }
  if (plain) {
    out.Append(r.message);
  } else {
    AppendJsonString(r.message, out);
  }
  AppendFields(r.fields, color, out);
  if (r.trace_id.IsValid()) {
    char hex[32];
    out.Append(std::string_view(" trace_id="));
    r.trace_id.ToHex(hex);
    out.Append(std::string_view(hex, 32));
    out.Append(std::string_view(" span_id="));
    r.span_id.ToHex(hex);
    out.Append(std::string_view(hex, 16));
  }
  out.Append(std::string_view(" caller="));
  AppendText(ShortFile(r.file), out);
  out.Append(':');
  AppendNumber(r.line, out);
  out.Append('\n');
}

}  // namespace callpath::log::detail
