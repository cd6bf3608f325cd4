#include "otlp/encode/otlp_json_encoder.h"

#include "otlp/encode/otlp_common_encoder.h"
#include "otlp/wire/fields.h"
#include "text/json_writer.h"

namespace callpath::internal {

namespace F = otlp::fields;
using text::JsonWriter;

namespace {

void WriteAttributesMember(JsonWriter& j, const std::vector<Attribute>& attributes) {
  if (attributes.empty()) return;
  j.Key("attributes");
  WriteAttributesJson(j, attributes);
}

void WriteCount(JsonWriter& j, std::string_view key, uint32_t n) {
  if (n == 0) return;
  j.Key(key);
  j.Uint64(n);
}

void WriteEvent(JsonWriter& j, const SpanEvent& e) {
  j.BeginObject();
  j.Key("timeUnixNano");
  j.Uint64AsString(e.time_unix_nano);
  j.Key("name");
  j.String(e.name);
  WriteAttributesMember(j, e.attributes);
  WriteCount(j, "droppedAttributesCount", e.dropped_attributes_count);
  j.EndObject();
}

void WriteLink(JsonWriter& j, const SpanLink& l) {
  j.BeginObject();
  j.Key("traceId");
  j.Hex(l.context.trace_id().AsBytes());
  j.Key("spanId");
  j.Hex(l.context.span_id().AsBytes());
  if (!l.context.trace_state().empty()) {
    j.Key("traceState");
    WriteTraceStateJson(j, l.context.trace_state());
  }
  WriteAttributesMember(j, l.attributes);
  WriteCount(j, "droppedAttributesCount", l.dropped_attributes_count);
  uint32_t flags = l.context.trace_flags().bits | F::kSpanFlagsContextHasIsRemote;
  if (l.context.IsRemote()) flags |= F::kSpanFlagsContextIsRemote;
  j.Key("flags");
  j.Uint64(flags);
  j.EndObject();
}

void WriteSpan(JsonWriter& j, const SpanData& s) {
  j.BeginObject();
  j.Key("traceId");
  j.Hex(s.context.trace_id().AsBytes());
  j.Key("spanId");
  j.Hex(s.context.span_id().AsBytes());
  if (s.parent_span_id.IsValid()) {
    j.Key("parentSpanId");
    j.Hex(s.parent_span_id.AsBytes());
  }
  if (!s.context.trace_state().empty()) {
    j.Key("traceState");
    WriteTraceStateJson(j, s.context.trace_state());
  }
  j.Key("flags");
  j.Uint64(s.OtlpFlags());
  j.Key("name");
  j.String(s.name);
  j.Key("kind");
  j.Int64(static_cast<int64_t>(s.kind));
  j.Key("startTimeUnixNano");
  j.Uint64AsString(s.start_time_unix_nano);
  j.Key("endTimeUnixNano");
  j.Uint64AsString(s.end_time_unix_nano);
  WriteAttributesMember(j, s.attributes);
  WriteCount(j, "droppedAttributesCount", s.dropped_attributes_count);
  if (!s.events.empty()) {
    j.Key("events");
    j.BeginArray();
    for (const SpanEvent& e : s.events) WriteEvent(j, e);
    j.EndArray();
  }
  WriteCount(j, "droppedEventsCount", s.dropped_events_count);
  if (!s.links.empty()) {
    j.Key("links");
    j.BeginArray();
    for (const SpanLink& l : s.links) WriteLink(j, l);
    j.EndArray();
  }
  WriteCount(j, "droppedLinksCount", s.dropped_links_count);
  if (s.status_code != SpanStatusCode::kUnset || !s.status_message.empty()) {
    j.Key("status");
    j.BeginObject();
    if (!s.status_message.empty()) {
      j.Key("message");
      j.String(s.status_message);
    }
    if (s.status_code != SpanStatusCode::kUnset) {
      j.Key("code");
      j.Int64(static_cast<int64_t>(s.status_code));
    }
    j.EndObject();
  }
  j.EndObject();
}

}  // namespace

void AppendTraceRequestJson(std::span<const SpanData> spans, const Resource& resource,
                            std::string* out) {
  out->reserve(out->size() + 128 + spans.size() * 512);
  JsonWriter j(out);
  j.BeginObject();
  j.Key("resourceSpans");
  j.BeginArray();
  j.BeginObject();
  j.Key("resource");
  WriteResourceJson(j, resource);
  j.Key("scopeSpans");
  j.BeginArray();
  ForEachScopeGroup(spans, [&](const InstrumentationScope* scope, auto&& for_each_span) {
    j.BeginObject();
    if (scope != nullptr) {
      j.Key("scope");
      WriteScopeJson(j, *scope);
    }
    j.Key("spans");
    j.BeginArray();
    for_each_span([&](const SpanData& s) { WriteSpan(j, s); });
    j.EndArray();
    j.EndObject();
  });
  j.EndArray();
  j.EndObject();
  j.EndArray();
  j.EndObject();
}

std::string EncodeTraceRequestJson(std::span<const SpanData> spans, const Resource& resource) {
  std::string out;
  AppendTraceRequestJson(spans, resource, &out);
  return out;
}

}  // namespace callpath::internal
