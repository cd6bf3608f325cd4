// Picking trace and span ids out of log records written by code that never
// heard of callpath: fields named the way the common loggers and tracers
// name them, and ids written into the message text.
//
// Field names are compared after lowercasing and dropping '_', '-' and '.',
// so trace_id, traceId, traceID, trace.id, trace-id and X-Trace-ID all
// match, and so does a nested key ending in one (mdc.traceId). Values:
//   - 32 hex digits (either case, dashes of a UUID form allowed): the id;
//   - 1..16 hex digits: a 64-bit id (Jaeger, Zipkin, B3), left-padded;
//   - a W3C traceparent ("00-<trace>-<span>-<flags>"): trace and span;
//   - an AWS X-Ray header ("Root=1-<8 hex>-<24 hex>;..."): the trace;
//   - Datadog's dd.trace_id / dd.span_id: a decimal 64-bit number, which
//     becomes the low half of a 128-bit id (what Datadog's OpenTelemetry
//     interop does with its 64-bit ids).
// An all-zero id counts as no id. All functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "callpath/ids.h"
#include "logparse/parsed_log.h"

namespace callpath::logparse {

enum class IdField {
  kNone,
  kTraceId,        // hex (or traceparent / X-Ray) trace id
  kSpanId,         // hex span id
  kTraceparent,    // a W3C traceparent string
  kDecimalTrace,   // dd.trace_id
  kDecimalSpan,    // dd.span_id
};

// What kind of id a field of this name carries.
IdField ClassifyIdField(std::string_view key) noexcept;

struct TraceContext {
  TraceId trace_id;
  SpanId span_id;
  uint8_t flags = 0;
};

// The trace id (and, for a traceparent, span id and flags) in `value`.
std::optional<TraceContext> ParseTraceIdValue(std::string_view value) noexcept;
// A hex span id of 1..16 digits.
std::optional<SpanId> ParseSpanIdValue(std::string_view value) noexcept;
// A decimal unsigned 64-bit number ("0" and overflow give nullopt).
std::optional<uint64_t> ParseDecimalId(std::string_view value) noexcept;

// Ids written in free text: "trace_id=…", "TraceID: …", "traceId=\"…\"",
// "traceparent=00-…", "dd.trace_id=…" (and the same for span ids), matched
// case-insensitively. Returns an invalid trace id when there is none.
TraceContext FindTraceContextInText(std::string_view text) noexcept;

// Sets record.trace_id / span_id from its attributes (removing the
// attributes used) when it has none yet, then from its body text. Fields
// win over text; the first usable field of a kind wins.
void PickTraceContext(ParsedLog& record);

}  // namespace callpath::logparse
