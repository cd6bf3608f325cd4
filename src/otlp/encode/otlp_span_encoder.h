// Encodes a batch of finished spans as an OTLP ExportTraceServiceRequest in
// protobuf form: the body of an OTLP/HTTP POST /v1/traces (or of a gRPC
// TraceService/Export call).
//
// Layout: one ResourceSpans for `resource`; one ScopeSpans per distinct
// SpanData::scope pointer, in order of first appearance (spans with a null
// scope share a ScopeSpans without a scope); spans in batch order within
// their scope. Every SpanData field is written: ids, tracestate, parent,
// flags (SpanData::OtlpFlags), name, kind, times, attributes, events, links
// (with W3C flags | 0x100, | 0x200 when the linked context is remote),
// status and the dropped counts. Zero values are left out as proto3 does,
// so the bytes equal what libprotobuf would serialize.
//
// Thread-compatible; runs on the exporter thread. Never fails.
#pragma once

#include <span>
#include <string>

#include "callpath/span_data.h"

namespace callpath::internal {

// Appends the request to *out (which may already hold data, e.g. a
// reused buffer after clear()).
void AppendTraceRequestProto(std::span<const SpanData> spans, const Resource& resource,
                             std::string* out);

std::string EncodeTraceRequestProto(std::span<const SpanData> spans, const Resource& resource);

}  // namespace callpath::internal
