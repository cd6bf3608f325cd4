// What a tag of a trace search matches, as Jaeger users mean it. Every
// backend's FindTraces matches TraceQuery::tags with SpanMatchesTag, so the
// classic Jaeger API, api_v3 and the native API all search alike.
//
//   error=true / false          the span's status is / is not ERROR (a span
//                               attribute error=true counts as an error too)
//   span.kind=server|client|... the span's kind (case-insensitive)
//   otel.status_code, span.status = OK|ERROR|UNSET
//                               the span's status (case-insensitive)
//   otel.status_description     the status message
//   otel.scope.name, scope.name, otel.library.name    the scope name
//   otel.scope.version, scope.version, otel.library.version
//   resource.<key>=v            resource attribute <key> only
//   event=name                  an event (Jaeger: log) of that name
//   any other key               an attribute of the span, of its resource
//                               (Jaeger: process tags), of one of its events
//                               (log fields) or of one of its links
//
// Values compare as text (Value::AsText): http.status_code=500 matches the
// integer 500 and the string "500"; a double also matches any spelling of
// the same number ("12.5", "1.25e1"). When a special key's value is not one
// it understands (error=maybe, span.kind=sideways), the key is matched as a
// plain attribute instead.
#pragma once

#include <string_view>

#include "store/model.h"

namespace callpath::store {

// Where a tag key can match, for backends planning which index to read.
enum class TagTarget : uint8_t {
  kStatus,    // error, otel.status_code, span.status, otel.status_description
  kKind,      // span.kind
  kScope,     // scope name / version
  kResource,  // resource.<key>: resource attributes only
  kEventName, // event
  kAny,       // span, resource, event or link attributes
};
TagTarget ClassifyTag(std::string_view key, std::string_view value) noexcept;

// True when only spans with status ERROR can match key=value (error=true,
// otel.status_code=ERROR, ...): such a search may read the error index.
bool TagMatchesOnlyErrors(std::string_view key, std::string_view value) noexcept;

// True when `span` (with its resource_attributes filled in) satisfies
// key=value under the rules above.
bool SpanMatchesTag(const StoredSpan& span, std::string_view key, std::string_view value);

// True when attribute `kv` has key `key` and, as text, the value `value`
// (doubles compare as numbers).
bool AttributeMatches(const KeyValue& kv, std::string_view key, std::string_view value);

// A boolean as Jaeger's query service reads one (Go's strconv.ParseBool:
// 1 t T true TRUE True, 0 f F false FALSE False); false when it is none.
bool ParseTagBool(std::string_view value, bool* out) noexcept;

}  // namespace callpath::store
