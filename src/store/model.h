// What the store keeps: spans, log records and per-trace summaries.
//
// These are plain value types, independent of the OTLP wire format: the
// daemon converts decoded OTLP into them before writing, and the query
// layer renders them back out (native JSON, Jaeger JSON, OTLP/JSON).
// Times are nanoseconds since the Unix epoch (OTLP's time_unix_nano).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/ids.h"
#include "callpath/span_data.h"

namespace callpath::store {

// An attribute value. OTLP arrays and key/value lists have no column of
// their own: they are kept as JSON text (type kJson), which is what every
// renderer wants anyway.
struct Value {
  enum class Type : uint8_t { kString = 0, kBool = 1, kInt64 = 2, kDouble = 3, kBytes = 4, kJson = 5 };
  Type type = Type::kString;
  std::string text;  // kString, kBytes (raw bytes), kJson (JSON text)
  int64_t int_value = 0;  // kInt64; kBool as 0/1
  double double_value = 0;

  static Value String(std::string s) { Value v; v.text = std::move(s); return v; }
  static Value Bool(bool b) { Value v; v.type = Type::kBool; v.int_value = b; return v; }
  static Value Int(int64_t i) { Value v; v.type = Type::kInt64; v.int_value = i; return v; }
  static Value Double(double d) { Value v; v.type = Type::kDouble; v.double_value = d; return v; }
  static Value Bytes(std::string b) { Value v; v.type = Type::kBytes; v.text = std::move(b); return v; }
  static Value Json(std::string j) { Value v; v.type = Type::kJson; v.text = std::move(j); return v; }

  // The value as tag searches compare it: strings as-is, bools "true"/
  // "false", integers in decimal, doubles shortest round-trip, bytes as
  // lowercase hex, JSON as its text.
  std::string AsText() const;

  friend bool operator==(const Value&, const Value&) = default;
};

struct KeyValue {
  std::string key;
  Value value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};
using Attributes = std::vector<KeyValue>;

// The SDK's kinds and status codes, with their OTLP numbering: a span
// means the same thing on both sides of the wire.
using SpanKind = callpath::SpanKind;
using SpanStatus = callpath::SpanStatusCode;

// "unspecified", "internal", "server", "client", "producer", "consumer".
std::string_view SpanKindName(SpanKind kind) noexcept;
// Inverse of SpanKindName (case-insensitive); false for anything else.
bool ParseSpanKind(std::string_view name, SpanKind* out) noexcept;

struct Event {
  uint64_t time_ns = 0;
  std::string name;
  Attributes attributes;
  friend bool operator==(const Event&, const Event&) = default;
};

struct Link {
  TraceId trace_id;
  SpanId span_id;
  std::string trace_state;
  Attributes attributes;
  friend bool operator==(const Link&, const Link&) = default;
};

struct StoredSpan {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;     // invalid (all zero) for a root span
  std::string service;       // resource attribute service.name
  std::string operation;     // span name
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t start_ns = 0;
  uint64_t duration_ns = 0;
  SpanStatus status = SpanStatus::kUnset;
  std::string status_message;
  uint32_t flags = 0;        // OTLP Span.flags (W3C trace flags in bits 0-7)
  std::string trace_state;
  Attributes attributes;
  std::vector<Event> events;
  std::vector<Link> links;
  Attributes resource_attributes;  // including service.name
  std::string scope_name;
  std::string scope_version;

  bool is_root() const noexcept { return !parent_span_id.IsValid(); }
  bool is_error() const noexcept { return status == SpanStatus::kError; }
  uint64_t end_ns() const noexcept { return start_ns + duration_ns; }

  friend bool operator==(const StoredSpan&, const StoredSpan&) = default;
};

struct StoredLog {
  uint64_t time_ns = 0;       // when the event happened (0 if unknown: use observed_ns)
  uint64_t observed_ns = 0;   // when a collector saw it
  TraceId trace_id;           // invalid when the record is not in a trace
  SpanId span_id;
  int32_t severity_number = 0;  // OTLP 1..24: TRACE=1 DEBUG=5 INFO=9 WARN=13 ERROR=17 FATAL=21
  std::string severity_text;
  Value body;                 // kString, or kJson for structured bodies
  Attributes attributes;
  std::string service;
  Attributes resource_attributes;
  std::string scope_name;
  std::string scope_version;
  uint32_t flags = 0;
  // LogTemplateOf(body text).id, set by Writer::Prepare when 0 (store/
  // log_template.h); stored with the record and returned by the readers.
  uint64_t template_id = 0;

  // time_ns, or observed_ns when time_ns is 0: what the store orders by.
  uint64_t effective_time_ns() const noexcept { return time_ns != 0 ? time_ns : observed_ns; }

  friend bool operator==(const StoredLog&, const StoredLog&) = default;
};

// One service's share of a trace (TraceSummary::service_stats).
struct ServiceStats {
  std::string name;
  uint32_t span_count = 0;
  uint32_t error_count = 0;
  friend bool operator==(const ServiceStats&, const ServiceStats&) = default;
};

// One trace at a glance, kept up to date by the store as spans arrive
// (spans of one trace come from many services over seconds or minutes).
struct TraceSummary {
  TraceId trace_id;
  // The root span (no parent)'s service and operation. While the root has
  // not arrived, those of the earliest span seen, and has_root is false.
  std::string root_service;
  std::string root_operation;
  bool has_root = false;
  uint64_t root_start_ns = 0; // start of the span root_* was taken from
  uint64_t start_ns = 0;      // earliest span start
  uint64_t duration_ns = 0;   // latest span end - earliest span start
  uint32_t span_count = 0;    // distinct spans written (see Writer::Write)
  uint32_t error_count = 0;   // spans with status ERROR
  std::vector<std::string> services;  // sorted, distinct
  // Spans and error spans per service, parallel to `services`. Empty when
  // unknown: summaries that the RocksDB store wrote before format 6.
  std::vector<ServiceStats> service_stats;
  // Spans whose parent span is not (yet) in the trace: an incomplete trace.
  // Exact while the backend tracks the trace's span ids (the RocksDB store
  // does up to 8192 spans); beyond that, and for summaries written before
  // format 6, a parent that arrived in another write may not be seen.
  uint32_t orphan_count = 0;

  uint64_t end_ns() const noexcept { return start_ns + duration_ns; }
  friend bool operator==(const TraceSummary&, const TraceSummary&) = default;
};

// Folds `span` into `summary` (used by every backend, so they agree).
// An empty summary (span_count 0) becomes the span's own summary.
void AddSpanToSummary(const StoredSpan& span, TraceSummary* summary);
// Combines two summaries of the same trace; associative and commutative.
// Counts are summed (a span in both counts twice, and orphan_count is an
// upper bound): a backend that tracks span ids corrects them.
void MergeSummaries(const TraceSummary& other, TraceSummary* into);

}  // namespace callpath::store
