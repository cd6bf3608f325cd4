#include "store/tag_match.h"

#include <charconv>

namespace callpath::store {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool ParseStatus(std::string_view v, SpanStatus* out) noexcept {
  if (EqualsIgnoreCase(v, "ERROR")) *out = SpanStatus::kError;
  else if (EqualsIgnoreCase(v, "OK")) *out = SpanStatus::kOk;
  else if (EqualsIgnoreCase(v, "UNSET")) *out = SpanStatus::kUnset;
  else return false;
  return true;
}

bool IsScopeName(std::string_view k) {
  return k == "otel.scope.name" || k == "scope.name" || k == "otel.library.name";
}
bool IsScopeVersion(std::string_view k) {
  return k == "otel.scope.version" || k == "scope.version" || k == "otel.library.version";
}

bool AnyMatches(const Attributes& attrs, std::string_view key, std::string_view value) {
  for (const auto& kv : attrs) {
    if (AttributeMatches(kv, key, value)) return true;
  }
  return false;
}

}  // namespace

bool ParseTagBool(std::string_view v, bool* out) noexcept {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
    *out = true;
  } else if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

TagTarget ClassifyTag(std::string_view key, std::string_view value) noexcept {
  bool b;
  SpanStatus st;
  SpanKind kind;
  if (key == "error" && ParseTagBool(value, &b)) return TagTarget::kStatus;
  if ((key == "otel.status_code" || key == "span.status") && ParseStatus(value, &st)) return TagTarget::kStatus;
  if (key == "otel.status_description") return TagTarget::kStatus;
  if (key == "span.kind" && ParseSpanKind(value, &kind)) return TagTarget::kKind;
  if (IsScopeName(key) || IsScopeVersion(key)) return TagTarget::kScope;
  if (key.starts_with("resource.") && key.size() > 9) return TagTarget::kResource;
  if (key == "event") return TagTarget::kEventName;
  return TagTarget::kAny;
}

bool TagMatchesOnlyErrors(std::string_view key, std::string_view value) noexcept {
  bool b;
  SpanStatus st;
  if (key == "error") return ParseTagBool(value, &b) && b;
  return (key == "otel.status_code" || key == "span.status") && ParseStatus(value, &st) &&
         st == SpanStatus::kError;
}

bool AttributeMatches(const KeyValue& kv, std::string_view key, std::string_view value) {
  if (kv.key != key) return false;
  switch (kv.value.type) {
    case Value::Type::kString:
    case Value::Type::kJson:
      return kv.value.text == value;
    case Value::Type::kDouble: {
      double d;
      auto r = std::from_chars(value.data(), value.data() + value.size(), d);
      return r.ec == std::errc() && r.ptr == value.data() + value.size() && d == kv.value.double_value;
    }
    default:
      return kv.value.AsText() == value;
  }
}

bool SpanMatchesTag(const StoredSpan& span, std::string_view key, std::string_view value) {
  switch (ClassifyTag(key, value)) {
    case TagTarget::kStatus: {
      if (key == "otel.status_description") return span.status_message == value;
      if (key == "error") {
        bool want;
        ParseTagBool(value, &want);
        // OpenTracing-era instrumentation marks errors with the attribute.
        bool is_error = span.is_error();
        for (const auto& kv : span.attributes) {
          if (kv.key == "error" && kv.value.AsText() == "true") is_error = true;
        }
        return is_error == want;
      }
      SpanStatus want;
      ParseStatus(value, &want);
      return span.status == want;
    }
    case TagTarget::kKind: {
      SpanKind want;
      ParseSpanKind(value, &want);
      return span.kind == want;
    }
    case TagTarget::kScope:
      return IsScopeName(key) ? span.scope_name == value : span.scope_version == value;
    case TagTarget::kResource:
      return AnyMatches(span.resource_attributes, key.substr(9), value);
    case TagTarget::kEventName:
      for (const auto& e : span.events) {
        if (e.name == value) return true;
      }
      return AnyMatches(span.attributes, key, value);
    case TagTarget::kAny:
      break;
  }
  if (AnyMatches(span.attributes, key, value) || AnyMatches(span.resource_attributes, key, value)) {
    return true;
  }
  for (const auto& e : span.events) {
    if (AnyMatches(e.attributes, key, value)) return true;
  }
  for (const auto& l : span.links) {
    if (AnyMatches(l.attributes, key, value)) return true;
  }
  return false;
}

}  // namespace callpath::store
