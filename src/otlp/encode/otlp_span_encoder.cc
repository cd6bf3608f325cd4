#include "otlp/encode/otlp_span_encoder.h"

#include <vector>

#include "otlp/encode/otlp_common_encoder.h"
#include "otlp/wire/fields.h"
#include "otlp/wire/proto_writer.h"

namespace callpath::internal {

namespace F = otlp::fields;
using otlp::ProtoWriter;

namespace {

uint32_t LinkFlags(const SpanContext& c) {
  uint32_t f = c.trace_flags().bits | F::kSpanFlagsContextHasIsRemote;
  if (c.IsRemote()) f |= F::kSpanFlagsContextIsRemote;
  return f;
}

void WriteEvent(ProtoWriter& w, const SpanEvent& e) {
  auto n = w.BeginNested(F::Span::kEvents, e.name.size() + 16 + 48 * e.attributes.size());
  w.Fixed64(F::SpanEvent::kTimeUnixNano, e.time_unix_nano);
  WriteTextProto(w, F::SpanEvent::kName, e.name);
  WriteAttributesProto(w, F::SpanEvent::kAttributes, e.attributes);
  w.Uint32(F::SpanEvent::kDroppedAttributesCount, e.dropped_attributes_count);
  w.EndNested(n);
}

void WriteLink(ProtoWriter& w, const SpanLink& l) {
  auto n = w.BeginNested(F::Span::kLinks, 40 + 48 * l.attributes.size());
  w.Bytes(F::SpanLink::kTraceId, l.context.trace_id().AsBytes());
  w.Bytes(F::SpanLink::kSpanId, l.context.span_id().AsBytes());
  WriteTraceStateProto(w, F::SpanLink::kTraceState, l.context.trace_state());
  WriteAttributesProto(w, F::SpanLink::kAttributes, l.attributes);
  w.Uint32(F::SpanLink::kDroppedAttributesCount, l.dropped_attributes_count);
  w.Fixed32(F::SpanLink::kFlags, LinkFlags(l.context));
  w.EndNested(n);
}

void WriteSpan(ProtoWriter& w, const SpanData& s) {
  // Field order follows the field numbers, as libprotobuf writes them.
  auto n = w.BeginNested(F::ScopeSpans::kSpans, 200);
  w.Bytes(F::Span::kTraceId, s.context.trace_id().AsBytes());
  w.Bytes(F::Span::kSpanId, s.context.span_id().AsBytes());
  WriteTraceStateProto(w, F::Span::kTraceState, s.context.trace_state());
  if (s.parent_span_id.IsValid()) w.Bytes(F::Span::kParentSpanId, s.parent_span_id.AsBytes());
  WriteTextProto(w, F::Span::kName, s.name);
  w.Enum(F::Span::kKind, static_cast<int32_t>(s.kind));
  w.Fixed64(F::Span::kStartTimeUnixNano, s.start_time_unix_nano);
  w.Fixed64(F::Span::kEndTimeUnixNano, s.end_time_unix_nano);
  WriteAttributesProto(w, F::Span::kAttributes, s.attributes);
  w.Uint32(F::Span::kDroppedAttributesCount, s.dropped_attributes_count);
  for (const SpanEvent& e : s.events) WriteEvent(w, e);
  w.Uint32(F::Span::kDroppedEventsCount, s.dropped_events_count);
  for (const SpanLink& l : s.links) WriteLink(w, l);
  w.Uint32(F::Span::kDroppedLinksCount, s.dropped_links_count);
  if (s.status_code != SpanStatusCode::kUnset || !s.status_message.empty()) {
    auto st = w.BeginNested(F::Span::kStatus, s.status_message.size() + 2);
    WriteTextProto(w, F::Status::kMessage, s.status_message);
    w.Enum(F::Status::kCode, static_cast<int32_t>(s.status_code));
    w.EndNested(st);
  }
  w.Fixed32(F::Span::kFlags, s.OtlpFlags());
  w.EndNested(n);
}

}  // namespace

void AppendTraceRequestProto(std::span<const SpanData> spans, const Resource& resource,
                             std::string* out) {
  // Rough size up front so the buffer grows once, not per span.
  out->reserve(out->size() + 64 + spans.size() * 256);
  ProtoWriter w(out);
  auto rs = w.BeginNested(F::ExportTraceServiceRequest::kResourceSpans, 1u << 20);
  WriteResourceProto(w, F::ResourceSpans::kResource, resource);
  ForEachScopeGroup(spans, [&](const InstrumentationScope* scope, auto&& for_each_span) {
    auto ss = w.BeginNested(F::ResourceSpans::kScopeSpans, 1u << 20);
    if (scope != nullptr) WriteScopeProto(w, F::ScopeSpans::kScope, *scope);
    for_each_span([&](const SpanData& s) { WriteSpan(w, s); });
    w.EndNested(ss);
  });
  w.EndNested(rs);
}

std::string EncodeTraceRequestProto(std::span<const SpanData> spans, const Resource& resource) {
  std::string out;
  AppendTraceRequestProto(spans, resource, &out);
  return out;
}

}  // namespace callpath::internal
