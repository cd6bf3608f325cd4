// Building blocks of every OTLP request the SDK sends — attribute values,
// key/value lists, the Resource and the InstrumentationScope — in both
// encodings: protobuf (through otlp::ProtoWriter) and OTLP/JSON (through
// text::JsonWriter). The span encoders use them, and so can any other
// signal's encoder (log records use the same Resource, scope and
// attributes).
//
// Each function appends one field or value to the writer; none allocates
// beyond the output buffer. Thread-compatible: use one writer per thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "callpath/attributes.h"
#include "callpath/span_context.h"
#include "callpath/span_data.h"
#include "otlp/wire/proto_writer.h"
#include "text/json_writer.h"

namespace callpath::internal {

// ---- protobuf ----------------------------------------------------------

// Writes a protobuf `string` field. Text that is not valid UTF-8 is written
// with U+FFFD in place of each bad sequence: receivers built on libprotobuf
// reject a whole request over one invalid string.
void WriteTextProto(otlp::ProtoWriter& w, uint32_t field, std::string_view text,
                    otlp::Presence presence = otlp::Presence::kImplicit);

// Writes the fields of an AnyValue message (its body, no tag): the oneof
// member matching the variant; vectors become an ArrayValue.
void WriteAnyValueBodyProto(otlp::ProtoWriter& w, const AttributeValue& value);

// Writes one KeyValue as a length-delimited field number `field`.
void WriteKeyValueProto(otlp::ProtoWriter& w, uint32_t field, std::string_view key,
                        const AttributeValue& value);

// Writes each attribute as a repeated KeyValue field number `field`.
void WriteAttributesProto(otlp::ProtoWriter& w, uint32_t field,
                          const std::vector<Attribute>& attributes);

// Writes a Resource message as field number `field` (always present, even
// when it has no attributes).
void WriteResourceProto(otlp::ProtoWriter& w, uint32_t field, const Resource& resource);

// Writes an InstrumentationScope message as field number `field`.
void WriteScopeProto(otlp::ProtoWriter& w, uint32_t field, const InstrumentationScope& scope);

// Writes the W3C header form of `state` ("k1=v1,k2=v2") as string field
// `field`, without building the string first. Nothing when empty.
void WriteTraceStateProto(otlp::ProtoWriter& w, uint32_t field, const TraceState& state);

// ---- OTLP/JSON -------------------------------------------------------

// {"stringValue":"…"} / {"boolValue":true} / {"intValue":"42"} (64-bit
// integers as strings) / {"doubleValue":1.5} / {"arrayValue":{"values":[…]}}.
void WriteAnyValueJson(text::JsonWriter& j, const AttributeValue& value);

// [{"key":"…","value":{…}}, …] — the value of an "attributes" member.
void WriteAttributesJson(text::JsonWriter& j, const std::vector<Attribute>& attributes);

// {"attributes":[…]}
void WriteResourceJson(text::JsonWriter& j, const Resource& resource);

// {"name":"…","version":"…"} (version omitted when empty).
void WriteScopeJson(text::JsonWriter& j, const InstrumentationScope& scope);

// "k1=v1,k2=v2" as a JSON string.
void WriteTraceStateJson(text::JsonWriter& j, const TraceState& state);

// ---- batching ----------------------------------------------------------

// Calls group(scope, for_each_span) once per distinct SpanData::scope
// pointer, in order of first appearance; for_each_span(fn) calls fn for the
// group's spans in batch order. Pointer identity defines a scope (the
// TracerProvider owns one object per scope). O(spans x scopes); batches
// have few scopes.
template <typename GroupFn>
void ForEachScopeGroup(std::span<const SpanData> spans, GroupFn&& group) {
  // Most batches come from one or a few scopes: no allocation for <= 8.
  const InstrumentationScope* small[8];
  std::vector<const InstrumentationScope*> more;
  size_t count = 0;
  auto seen = [&](const InstrumentationScope* s) {
    for (size_t i = 0; i < count && i < 8; ++i)
      if (small[i] == s) return true;
    for (const auto* m : more)
      if (m == s) return true;
    return false;
  };
  for (const SpanData& s : spans) {
    if (seen(s.scope)) continue;
    if (count < 8) small[count] = s.scope;
    else more.push_back(s.scope);
    ++count;
  }
  for (size_t i = 0; i < count; ++i) {
    const InstrumentationScope* scope = i < 8 ? small[i] : more[i - 8];
    group(scope, [&](auto&& fn) {
      for (const SpanData& s : spans)
        if (s.scope == scope) fn(s);
    });
  }
}

}  // namespace callpath::internal
