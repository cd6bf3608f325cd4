// SpanData: a finished span as exporters see it, and the resource and
// instrumentation scope it belongs to.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "callpath/attributes.h"
#include "callpath/span_context.h"

namespace callpath {

// OTLP numbering. The SDK never makes kUnspecified (its default is
// kInternal); spans received from other SDKs may carry it.
enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};

enum class SpanStatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanEvent {
  uint64_t time_unix_nano = 0;
  std::string name;
  std::vector<Attribute> attributes;
  uint32_t dropped_attributes_count = 0;
};

struct SpanLink {
  SpanContext context;
  std::vector<Attribute> attributes;
  uint32_t dropped_attributes_count = 0;
};

// The service and host a span came from (OTLP Resource).
struct Resource {
  std::vector<Attribute> attributes;

  // service.name, or "" if not set.
  std::string_view service_name() const noexcept;
  // Attributes of `other` override ours, key by key.
  Resource Merge(const Resource& other) const;

  // The resource the environment describes: service.name from
  // OTEL_SERVICE_NAME (wins) or OTEL_RESOURCE_ATTRIBUTES (percent-decoded;
  // the whole variable is ignored if it does not decode), falling back to
  // "unknown_service:<executable>"; plus telemetry.sdk.{name,language,version}.
  static Resource FromEnvironment();
};

// Who produced a span (OTLP InstrumentationScope), e.g. "shop.order" "1.2".
struct InstrumentationScope {
  std::string name;
  std::string version;
  friend bool operator==(const InstrumentationScope&, const InstrumentationScope&) = default;
};

struct SpanData {
  SpanContext context;          // trace id, span id, flags, tracestate
  SpanId parent_span_id;        // invalid for a root span
  bool parent_is_remote = false;
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  std::vector<Attribute> attributes;
  uint32_t dropped_attributes_count = 0;
  std::vector<SpanEvent> events;
  uint32_t dropped_events_count = 0;
  std::vector<SpanLink> links;
  uint32_t dropped_links_count = 0;
  SpanStatusCode status_code = SpanStatusCode::kUnset;
  std::string status_message;
  // Owned by the TracerProvider, which outlives every span it made.
  const InstrumentationScope* scope = nullptr;

  // Member-wise: cheaper than the generic move-through-a-temporary swap,
  // and the batch processor swaps every span once on its export thread.
  friend void swap(SpanData& a, SpanData& b) noexcept {
    using std::swap;
    swap(a.context, b.context);
    swap(a.parent_span_id, b.parent_span_id);
    swap(a.parent_is_remote, b.parent_is_remote);
    a.name.swap(b.name);
    swap(a.kind, b.kind);
    swap(a.start_time_unix_nano, b.start_time_unix_nano);
    swap(a.end_time_unix_nano, b.end_time_unix_nano);
    a.attributes.swap(b.attributes);
    swap(a.dropped_attributes_count, b.dropped_attributes_count);
    a.events.swap(b.events);
    swap(a.dropped_events_count, b.dropped_events_count);
    a.links.swap(b.links);
    swap(a.dropped_links_count, b.dropped_links_count);
    swap(a.status_code, b.status_code);
    a.status_message.swap(b.status_message);
    swap(a.scope, b.scope);
  }

  // OTLP Span.flags: W3C flags in bits 0-7 (only the bits W3C defines:
  // sampled and random-trace-id), bit 8 "parent remoteness known", bit 9
  // "parent is remote".
  uint32_t OtlpFlags() const noexcept {
    uint32_t f = (context.trace_flags().bits & 0x03u) | 0x100u;
    if (parent_is_remote) f |= 0x200u;
    return f;
  }
};

}  // namespace callpath
