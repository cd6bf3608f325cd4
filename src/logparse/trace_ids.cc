#include "logparse/trace_ids.h"

#include <array>
#include <cstring>

#include "callpath/propagation.h"
#include "text/hex.h"

namespace callpath::logparse {
namespace {

// Field names longer than this are no id field we know.
constexpr size_t kMaxNameSize = 40;

bool IsNameChar(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool IsHexDigit(char c) noexcept { return text::HexDigitValue(c) >= 0; }

// Lowercase without '_', '-' and '.'; false when too long to be a name we know.
bool Normalize(std::string_view key, std::string* out) {
  if (key.size() > kMaxNameSize) return false;
  out->clear();
  for (char c : key) {
    if (c == '_' || c == '-' || c == '.') continue;
    out->push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  return true;
}

IdField ClassifyNormalized(std::string_view n) noexcept {
  if (n == "traceid" || n == "xtraceid" || n == "oteltraceid" || n == "xb3traceid" || n == "xamzntraceid")
    return IdField::kTraceId;
  if (n == "spanid" || n == "xspanid" || n == "otelspanid" || n == "xb3spanid") return IdField::kSpanId;
  if (n == "traceparent") return IdField::kTraceparent;
  if (n == "ddtraceid") return IdField::kDecimalTrace;
  if (n == "ddspanid") return IdField::kDecimalSpan;
  return IdField::kNone;
}

std::string_view Trim(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '"' || v.front() == '\''))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '"' || v.back() == '\''))
    v.remove_suffix(1);
  return v;
}

std::optional<TraceContext> FromHex128(std::string_view hex) noexcept {
  std::array<uint8_t, 16> bytes{};
  if (hex.empty() || hex.size() > 32 || !text::HexDecodeLeftPadded(hex, bytes.data(), 16)) return std::nullopt;
  TraceContext tc;
  tc.trace_id = TraceId(bytes);
  if (!tc.trace_id.IsValid()) return std::nullopt;
  return tc;
}

// "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=...": epoch seconds and
// 96 random bits make the 128-bit trace id.
std::optional<TraceContext> FromXRay(std::string_view v) noexcept {
  v.remove_prefix(5);
  if (v.size() < 35 || v.substr(0, 2) != "1-" || v[10] != '-') return std::nullopt;
  std::string hex;
  hex.append(v.substr(2, 8));
  hex.append(v.substr(11, 24));
  for (char c : hex)
    if (!IsHexDigit(c)) return std::nullopt;
  return FromHex128(hex);
}

TraceContext FromDecimalTrace(uint64_t low) noexcept {
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < 8; ++i) bytes[15 - i] = static_cast<uint8_t>(low >> (8 * i));
  TraceContext tc;
  tc.trace_id = TraceId(bytes);
  return tc;
}

SpanId FromDecimalSpan(uint64_t v) noexcept {
  std::array<uint8_t, 8> bytes{};
  for (int i = 0; i < 8; ++i) bytes[7 - i] = static_cast<uint8_t>(v >> (8 * i));
  return SpanId(bytes);
}

// Applies one (kind, value) pair to `tc`; true when it set something new.
bool Apply(IdField kind, std::string_view value, bool strict, TraceContext* tc) {
  const bool need_trace = !tc->trace_id.IsValid();
  const bool need_span = !tc->span_id.IsValid();
  switch (kind) {
    case IdField::kTraceId:
    case IdField::kTraceparent: {
      if (!need_trace) return false;
      // Free text names many short things "trace": ask for a 64-bit id at least.
      if (strict && Trim(value).size() < 16) return false;
      auto parsed = ParseTraceIdValue(value);
      if (!parsed) return false;
      tc->trace_id = parsed->trace_id;
      if (parsed->span_id.IsValid() && need_span) {
        tc->span_id = parsed->span_id;
        tc->flags = parsed->flags;
      }
      return true;
    }
    case IdField::kSpanId: {
      if (!need_span || (strict && Trim(value).size() < 16)) return false;
      auto parsed = ParseSpanIdValue(value);
      if (!parsed) return false;
      tc->span_id = *parsed;
      return true;
    }
    case IdField::kDecimalTrace: {
      auto n = ParseDecimalId(value);
      if (!need_trace || !n) return false;
      tc->trace_id = FromDecimalTrace(*n).trace_id;
      return true;
    }
    case IdField::kDecimalSpan: {
      auto n = ParseDecimalId(value);
      if (!need_span || !n) return false;
      tc->span_id = FromDecimalSpan(*n);
      return true;
    }
    case IdField::kNone: return false;
  }
  return false;
}

}  // namespace

IdField ClassifyIdField(std::string_view key) noexcept {
  std::string n;
  if (!Normalize(key, &n)) return IdField::kNone;
  IdField kind = ClassifyNormalized(n);
  if (kind != IdField::kNone) return kind;
  // A nested key (mdc.traceId, labels.trace_id): its last segment decides.
  size_t dot = key.rfind('.');
  if (dot == std::string_view::npos || !Normalize(key.substr(dot + 1), &n)) return IdField::kNone;
  return ClassifyNormalized(n);
}

std::optional<uint64_t> ParseDecimalId(std::string_view value) noexcept {
  value = Trim(value);
  if (value.empty() || value.size() > 20) return std::nullopt;
  uint64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return std::nullopt;
    n = n * 10 + d;
  }
  if (n == 0) return std::nullopt;
  return n;
}

std::optional<TraceContext> ParseTraceIdValue(std::string_view value) noexcept {
  value = Trim(value);
  if (value.size() >= 5 && value.substr(0, 5) == "Root=") return FromXRay(value);
  if (value.size() >= kTraceparentSize && value[2] == '-') {
    std::optional<SpanContext> sc = ParseTraceparent(value.substr(0, kTraceparentSize));
    if (!sc) return std::nullopt;
    return TraceContext{sc->trace_id(), sc->span_id(), sc->trace_flags().bits};
  }
  if (value.size() == 36 && value[8] == '-' && value[13] == '-' && value[18] == '-' && value[23] == '-') {
    char hex[32];
    size_t n = 0;
    for (char c : value)
      if (c != '-') hex[n++] = c;
    if (n != 32) return std::nullopt;
    return FromHex128(std::string_view(hex, 32));
  }
  return FromHex128(value);
}

std::optional<SpanId> ParseSpanIdValue(std::string_view value) noexcept {
  value = Trim(value);
  std::array<uint8_t, 8> bytes{};
  if (value.empty() || value.size() > 16 || !text::HexDecodeLeftPadded(value, bytes.data(), 8))
    return std::nullopt;
  SpanId id(bytes);
  if (!id.IsValid()) return std::nullopt;
  return id;
}

TraceContext FindTraceContextInText(std::string_view text) noexcept {
  TraceContext tc;
  size_t i = 0;
  while (i < text.size()) {
    if (!IsNameChar(text[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && IsNameChar(text[i])) ++i;
    std::string_view name = text.substr(start, i - start);
    // Cheap test first: every name we know contains "trace" or "span".
    if (name.size() < 6 || name.size() > kMaxNameSize) continue;
    IdField kind = ClassifyIdField(name);
    if (kind == IdField::kNone) continue;
    size_t j = i;
    if (j < text.size() && (text[j] == '"' || text[j] == '\'')) ++j;  // "trace_id": "…"
    while (j < text.size() && text[j] == ' ') ++j;
    if (j >= text.size() || (text[j] != ':' && text[j] != '=')) continue;
    ++j;
    while (j < text.size() && (text[j] == ' ' || text[j] == '"' || text[j] == '\'' || text[j] == '[')) ++j;
    size_t v = j;
    while (j < text.size() && (IsHexDigit(text[j]) || text[j] == '-')) ++j;
    Apply(kind, text.substr(v, j - v), /*strict=*/true, &tc);
    if (tc.trace_id.IsValid() && tc.span_id.IsValid()) break;
    i = j > i ? j : i;
  }
  if (!tc.trace_id.IsValid()) return TraceContext{};
  return tc;
}

void PickTraceContext(ParsedLog& record) {
  TraceContext tc{record.trace_id, record.span_id, record.trace_flags};
  std::vector<size_t> used;
  for (size_t k = 0; k < record.attributes.size(); ++k) {
    const Attribute& a = record.attributes[k];
    IdField kind = ClassifyIdField(a.key);
    if (kind == IdField::kNone) continue;
    std::string value;
    if (const auto* s = std::get_if<std::string>(&a.value)) {
      // callpath's own logger writes "trace_id":"" outside a span.
      if (s->empty()) {
        used.push_back(k);
        continue;
      }
      value = *s;
    }
    else if (const auto* n = std::get_if<int64_t>(&a.value)) {
      value = std::to_string(*n);
      // A number in a trace-id field is a decimal id, as Datadog writes them.
      if (kind == IdField::kTraceId) kind = IdField::kDecimalTrace;
      if (kind == IdField::kSpanId) kind = IdField::kDecimalSpan;
    } else {
      continue;
    }
    if (Apply(kind, value, /*strict=*/false, &tc)) used.push_back(k);
  }
  for (auto it = used.rbegin(); it != used.rend(); ++it) record.EraseAt(*it);
  if (!tc.trace_id.IsValid()) {
    TraceContext found = FindTraceContextInText(record.body);
    if (found.trace_id.IsValid()) {
      tc.trace_id = found.trace_id;
      if (!tc.span_id.IsValid()) tc.span_id = found.span_id;
      tc.flags = found.flags;
    }
  }
  if (!tc.trace_id.IsValid()) return;
  record.trace_id = tc.trace_id;
  record.span_id = tc.span_id;
  record.trace_flags = tc.flags;
}

}  // namespace callpath::logparse
