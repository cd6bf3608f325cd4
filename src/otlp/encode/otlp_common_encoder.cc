#include "otlp/encode/otlp_common_encoder.h"

#include <string>
#include <type_traits>
#include <variant>

#include "otlp/wire/fields.h"
#include "text/utf8.h"

namespace callpath::internal {

namespace F = otlp::fields;
using otlp::Presence;
using otlp::ProtoWriter;

namespace {

// A guess of an AnyValue body's size, only to pick the width of length
// slots (see ProtoWriter::BeginNested); being wrong costs a memmove.
size_t SizeHint(const AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> size_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v.size() + 3;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          size_t n = 0;
          for (const auto& s : v) n += s.size() + 6;
          return n;
        } else if constexpr (std::is_same_v<T, std::vector<bool>> ||
                             std::is_same_v<T, std::vector<int64_t>> ||
                             std::is_same_v<T, std::vector<double>>) {
          return v.size() * 12;
        } else {
          return 11;
        }
      },
      value);
}

void WriteScalarProto(ProtoWriter& w, bool v) { w.Bool(F::AnyValue::kBoolValue, v, Presence::kExplicit); }
void WriteScalarProto(ProtoWriter& w, int64_t v) { w.Int64(F::AnyValue::kIntValue, v, Presence::kExplicit); }
void WriteScalarProto(ProtoWriter& w, double v) { w.Double(F::AnyValue::kDoubleValue, v, Presence::kExplicit); }
void WriteScalarProto(ProtoWriter& w, const std::string& v) {
  WriteTextProto(w, F::AnyValue::kStringValue, v, Presence::kExplicit);
}

template <typename Vec>
void WriteArrayProto(ProtoWriter& w, const Vec& values, size_t hint) {
  auto array = w.BeginNested(F::AnyValue::kArrayValue, hint);
  for (const auto& item : values) {
    // std::vector<bool> hands out proxies: convert to the element type.
    const typename Vec::value_type& v = item;
    auto element = w.BeginNested(F::ArrayValue::kValues, 10);
    WriteScalarProto(w, v);
    w.EndNested(element);
  }
  w.EndNested(array);
}

template <typename T>
void WriteScalarJson(text::JsonWriter& j, const T& v) {
  j.BeginObject();
  if constexpr (std::is_same_v<T, bool>) {
    j.Key("boolValue");
    j.Bool(v);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    j.Key("intValue");
    j.Int64AsString(v);
  } else if constexpr (std::is_same_v<T, double>) {
    j.Key("doubleValue");
    j.Double(v);
  } else {
    j.Key("stringValue");
    j.String(v);
  }
  j.EndObject();
}

}  // namespace

void WriteTextProto(ProtoWriter& w, uint32_t field, std::string_view text, Presence presence) {
  if (text::IsValidUtf8(text)) {
    w.String(field, text, presence);
    return;
  }
  std::string clean;
  text::AppendSanitizedUtf8(text, &clean);
  w.String(field, clean, presence);
}

void WriteAnyValueBodyProto(ProtoWriter& w, const AttributeValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t> ||
                      std::is_same_v<T, double> || std::is_same_v<T, std::string>) {
          WriteScalarProto(w, v);
        } else {
          WriteArrayProto(w, v, SizeHint(value));
        }
      },
      value);
}

void WriteKeyValueProto(ProtoWriter& w, uint32_t field, std::string_view key,
                        const AttributeValue& value) {
  const size_t value_hint = SizeHint(value);
  auto kv = w.BeginNested(field, key.size() + value_hint + 4);
  WriteTextProto(w, F::KeyValue::kKey, key);
  auto v = w.BeginNested(F::KeyValue::kValue, value_hint);
  WriteAnyValueBodyProto(w, value);
  w.EndNested(v);
  w.EndNested(kv);
}

void WriteAttributesProto(ProtoWriter& w, uint32_t field, const std::vector<Attribute>& attributes) {
  for (const Attribute& a : attributes) WriteKeyValueProto(w, field, a.key, a.value);
}

void WriteResourceProto(ProtoWriter& w, uint32_t field, const Resource& resource) {
  auto r = w.BeginNested(field, 64 * resource.attributes.size());
  WriteAttributesProto(w, F::Resource::kAttributes, resource.attributes);
  w.EndNested(r);
}

void WriteScopeProto(ProtoWriter& w, uint32_t field, const InstrumentationScope& scope) {
  auto s = w.BeginNested(field, scope.name.size() + scope.version.size() + 4);
  WriteTextProto(w, F::InstrumentationScope::kName, scope.name);
  WriteTextProto(w, F::InstrumentationScope::kVersion, scope.version);
  w.EndNested(s);
}

void WriteTraceStateProto(ProtoWriter& w, uint32_t field, const TraceState& state) {
  if (state.empty()) return;
  const auto& members = state.members();
  size_t size = members.size() - 1;  // the commas
  for (const auto& [k, v] : members) size += k.size() + 1 + v.size();
  w.LengthDelimitedHeader(field, size);
  bool first = true;
  for (const auto& [k, v] : members) {
    if (!first) w.Raw(",");
    first = false;
    w.Raw(k);
    w.Raw("=");
    w.Raw(v);
  }
}

void WriteAnyValueJson(text::JsonWriter& j, const AttributeValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t> ||
                      std::is_same_v<T, double> || std::is_same_v<T, std::string>) {
          WriteScalarJson(j, v);
        } else {
          j.BeginObject();
          j.Key("arrayValue");
          j.BeginObject();
          j.Key("values");
          j.BeginArray();
          for (const auto& item : v) {
            const typename T::value_type& e = item;
            WriteScalarJson(j, e);
          }
          j.EndArray();
          j.EndObject();
          j.EndObject();
        }
      },
      value);
}

void WriteAttributesJson(text::JsonWriter& j, const std::vector<Attribute>& attributes) {
  j.BeginArray();
  for (const Attribute& a : attributes) {
    j.BeginObject();
    j.Key("key");
    j.String(a.key);
    j.Key("value");
    WriteAnyValueJson(j, a.value);
    j.EndObject();
  }
  j.EndArray();
}

void WriteResourceJson(text::JsonWriter& j, const Resource& resource) {
  j.BeginObject();
  j.Key("attributes");
  WriteAttributesJson(j, resource.attributes);
  j.EndObject();
}

void WriteScopeJson(text::JsonWriter& j, const InstrumentationScope& scope) {
  j.BeginObject();
  j.Key("name");
  j.String(scope.name);
  if (!scope.version.empty()) {
    j.Key("version");
    j.String(scope.version);
  }
  j.EndObject();
}

void WriteTraceStateJson(text::JsonWriter& j, const TraceState& state) {
  std::string text;
  bool first = true;
  for (const auto& [k, v] : state.members()) {
    if (!first) text += ',';
    first = false;
    text += k;
    text += '=';
    text += v;
  }
  j.String(text);
}

}  // namespace callpath::internal
