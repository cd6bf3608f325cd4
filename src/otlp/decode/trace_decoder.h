// Decodes an OTLP ExportTraceServiceRequest (the body of POST /v1/traces or
// of the gRPC TraceService/Export call) without building message objects:
// every string and id in the result is a view into the request body.
//
//   DecodedTraceRequest req;            // reuse across requests: keeps capacity
//   std::string error;
//   if (!DecodeTraceRequest(body, &req, &error)) return BadRequest(error);
//   for (const DecodedSpan& s : req.spans()) Store(s.scope->resource->service_name(), s);
//
// Contract:
// - The body must outlive the DecodedTraceRequest (and every view from it).
// - Input is untrusted: malformed protobuf, or a span whose trace_id is not
//   16 bytes, span_id not 8 bytes, parent_span_id neither empty nor 8 bytes
//   (links: 16 / 8 bytes), or an attribute value nested deeper than
//   kMaxAnyValueDepth, rejects the whole request with a message naming the
//   place ("resource_spans[0].scope_spans[1].spans[4]: ..."). All-zero ids
//   are passed through; deciding about them is the caller's policy.
// - Strings are not checked to be UTF-8.
// - Unknown fields are skipped. A singular message field that repeats is
//   merged as protobuf does (resource, scope, status).
// - Not thread-safe; one DecodedTraceRequest per thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/decode/any_value.h"
#include "otlp/decode/resource_view.h"

namespace callpath::otlp {

struct DecodedEvent {
  uint64_t time_unix_nano = 0;
  std::string_view name;
  std::span<const KeyValueView> attributes;
  uint32_t dropped_attributes_count = 0;
};

struct DecodedLink {
  std::string_view trace_id;  // 16 bytes
  std::string_view span_id;   // 8 bytes
  std::string_view trace_state;
  std::span<const KeyValueView> attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
};

struct DecodedSpan {
  const DecodedScope* scope = nullptr;  // never null; scope->resource neither
  std::string_view raw;                 // the whole encoded Span message
  std::string_view trace_id;            // 16 bytes
  std::string_view span_id;             // 8 bytes
  std::string_view parent_span_id;      // 8 bytes, or empty for a root span
  std::string_view trace_state;
  std::string_view name;
  uint32_t flags = 0;  // W3C flags in bits 0-7, 0x100 / 0x200 parent remoteness
  int32_t kind = 0;    // SpanKind as sent: 0 unspecified .. 5 consumer (others kept)
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  std::span<const KeyValueView> attributes;
  uint32_t dropped_attributes_count = 0;
  std::span<const DecodedEvent> events;
  uint32_t dropped_events_count = 0;
  std::span<const DecodedLink> links;
  uint32_t dropped_links_count = 0;
  int32_t status_code = 0;  // 0 unset, 1 ok, 2 error (others kept)
  std::string_view status_message;
};

class DecodedTraceRequest {
 public:
  // Spans in body order.
  std::span<const DecodedSpan> spans() const noexcept { return spans_; }
  std::span<const DecodedScope> scopes() const noexcept { return scopes_; }
  std::span<const DecodedResource> resources() const noexcept { return resources_; }

 private:
  friend class TraceDecoder;
  struct Range {
    uint32_t begin = 0;
    uint32_t count = 0;
  };
  struct SpanRanges {
    Range attributes, events, links;
    uint32_t scope = 0;
  };
  struct ScopeRanges {
    Range attributes;
    uint32_t resource = 0;
  };

  void Clear();
  void Link();  // turns the recorded ranges into spans and pointers

  std::vector<DecodedResource> resources_;
  std::vector<DecodedScope> scopes_;
  std::vector<DecodedSpan> spans_;
  std::vector<DecodedEvent> events_;
  std::vector<DecodedLink> links_;
  std::vector<KeyValueView> resource_attrs_, scope_attrs_, span_attrs_, event_attrs_, link_attrs_;
  std::vector<Range> resource_ranges_, event_ranges_, link_ranges_;
  std::vector<ScopeRanges> scope_ranges_;
  std::vector<SpanRanges> span_ranges_;
};

// Decodes `body` into *out (replacing what it held). Returns false on
// malformed or invalid input, with the reason in *error when `error` is not
// null; *out is then empty.
bool DecodeTraceRequest(std::string_view body, DecodedTraceRequest* out, std::string* error);

}  // namespace callpath::otlp
