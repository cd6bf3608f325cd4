// Field numbers of the OTLP protobuf messages (OTLP v1.x, stable), one
// struct per message, so wire code reads `fields::Span::kTraceId` instead of
// a bare 1. The .proto files under proto/ carry the same numbers; the unit
// tests check the two against each other through libprotobuf.
#pragma once

#include <cstdint>

namespace callpath::otlp::fields {

// opentelemetry.proto.common.v1
struct AnyValue {
  static constexpr uint32_t kStringValue = 1;
  static constexpr uint32_t kBoolValue = 2;
  static constexpr uint32_t kIntValue = 3;
  static constexpr uint32_t kDoubleValue = 4;
  static constexpr uint32_t kArrayValue = 5;
  static constexpr uint32_t kKvlistValue = 6;
  static constexpr uint32_t kBytesValue = 7;
  static constexpr uint32_t kStringValueStrindex = 8;  // profiles only
};
struct ArrayValue {
  static constexpr uint32_t kValues = 1;
};
struct KeyValueList {
  static constexpr uint32_t kValues = 1;
};
struct KeyValue {
  static constexpr uint32_t kKey = 1;
  static constexpr uint32_t kValue = 2;
  static constexpr uint32_t kKeyStrindex = 3;  // profiles only
};
struct InstrumentationScope {
  static constexpr uint32_t kName = 1;
  static constexpr uint32_t kVersion = 2;
  static constexpr uint32_t kAttributes = 3;
  static constexpr uint32_t kDroppedAttributesCount = 4;
};

// opentelemetry.proto.resource.v1
struct Resource {
  static constexpr uint32_t kAttributes = 1;
  static constexpr uint32_t kDroppedAttributesCount = 2;
  static constexpr uint32_t kEntityRefs = 3;
};

// opentelemetry.proto.trace.v1 and collector.trace.v1
struct ExportTraceServiceRequest {
  static constexpr uint32_t kResourceSpans = 1;
};
struct ExportTraceServiceResponse {
  static constexpr uint32_t kPartialSuccess = 1;
};
struct ExportTracePartialSuccess {
  static constexpr uint32_t kRejectedSpans = 1;
  static constexpr uint32_t kErrorMessage = 2;
};
struct ResourceSpans {
  static constexpr uint32_t kResource = 1;
  static constexpr uint32_t kScopeSpans = 2;
  static constexpr uint32_t kSchemaUrl = 3;
};
struct ScopeSpans {
  static constexpr uint32_t kScope = 1;
  static constexpr uint32_t kSpans = 2;
  static constexpr uint32_t kSchemaUrl = 3;
};
struct Span {
  static constexpr uint32_t kTraceId = 1;
  static constexpr uint32_t kSpanId = 2;
  static constexpr uint32_t kTraceState = 3;
  static constexpr uint32_t kParentSpanId = 4;
  static constexpr uint32_t kName = 5;
  static constexpr uint32_t kKind = 6;
  static constexpr uint32_t kStartTimeUnixNano = 7;
  static constexpr uint32_t kEndTimeUnixNano = 8;
  static constexpr uint32_t kAttributes = 9;
  static constexpr uint32_t kDroppedAttributesCount = 10;
  static constexpr uint32_t kEvents = 11;
  static constexpr uint32_t kDroppedEventsCount = 12;
  static constexpr uint32_t kLinks = 13;
  static constexpr uint32_t kDroppedLinksCount = 14;
  static constexpr uint32_t kStatus = 15;
  static constexpr uint32_t kFlags = 16;
};
struct SpanEvent {
  static constexpr uint32_t kTimeUnixNano = 1;
  static constexpr uint32_t kName = 2;
  static constexpr uint32_t kAttributes = 3;
  static constexpr uint32_t kDroppedAttributesCount = 4;
};
struct SpanLink {
  static constexpr uint32_t kTraceId = 1;
  static constexpr uint32_t kSpanId = 2;
  static constexpr uint32_t kTraceState = 3;
  static constexpr uint32_t kAttributes = 4;
  static constexpr uint32_t kDroppedAttributesCount = 5;
  static constexpr uint32_t kFlags = 6;
};
struct Status {
  // 1 is reserved (the old deprecated_code).
  static constexpr uint32_t kMessage = 2;
  static constexpr uint32_t kCode = 3;
};

// Span.flags / Span.Link.flags bits (enum SpanFlags).
inline constexpr uint32_t kSpanFlagsTraceFlagsMask = 0x000000FF;
inline constexpr uint32_t kSpanFlagsContextHasIsRemote = 0x00000100;
inline constexpr uint32_t kSpanFlagsContextIsRemote = 0x00000200;

// opentelemetry.proto.logs.v1 and collector.logs.v1
struct ExportLogsServiceRequest {
  static constexpr uint32_t kResourceLogs = 1;
};
struct ExportLogsServiceResponse {
  static constexpr uint32_t kPartialSuccess = 1;
};
struct ExportLogsPartialSuccess {
  static constexpr uint32_t kRejectedLogRecords = 1;
  static constexpr uint32_t kErrorMessage = 2;
};
struct ResourceLogs {
  static constexpr uint32_t kResource = 1;
  static constexpr uint32_t kScopeLogs = 2;
  static constexpr uint32_t kSchemaUrl = 3;
};
struct ScopeLogs {
  static constexpr uint32_t kScope = 1;
  static constexpr uint32_t kLogRecords = 2;
  static constexpr uint32_t kSchemaUrl = 3;
};
struct LogRecord {
  static constexpr uint32_t kTimeUnixNano = 1;
  static constexpr uint32_t kSeverityNumber = 2;
  static constexpr uint32_t kSeverityText = 3;
  // 4 is reserved.
  static constexpr uint32_t kBody = 5;
  static constexpr uint32_t kAttributes = 6;
  static constexpr uint32_t kDroppedAttributesCount = 7;
  static constexpr uint32_t kFlags = 8;
  static constexpr uint32_t kTraceId = 9;
  static constexpr uint32_t kSpanId = 10;
  static constexpr uint32_t kObservedTimeUnixNano = 11;
  static constexpr uint32_t kEventName = 12;
};

// LogRecord.flags bits (enum LogRecordFlags).
inline constexpr uint32_t kLogRecordFlagsTraceFlagsMask = 0x000000FF;

}  // namespace callpath::otlp::fields
