// Encodes a batch of finished spans as an OTLP/JSON ExportTraceServiceRequest:
// the body of an OTLP/HTTP POST /v1/traces with Content-Type application/json.
//
// Same layout as the protobuf encoder (one ResourceSpans, one ScopeSpans per
// scope), following the OTLP/JSON rules: lowerCamelCase keys, trace and span
// ids as lowercase hex, enums as integers, 64-bit integers (times, intValue)
// as decimal strings, doubles as numbers ("NaN"/"Infinity" as strings),
// strings escaped with invalid UTF-8 replaced by U+FFFD. Zero counts, empty
// lists and an unset status are omitted, as the proto3 JSON mapping does;
// receivers treat absent and default the same.
//
// Thread-compatible; never fails.
#pragma once

#include <span>
#include <string>

#include "callpath/span_data.h"

namespace callpath::internal {

void AppendTraceRequestJson(std::span<const SpanData> spans, const Resource& resource,
                            std::string* out);

std::string EncodeTraceRequestJson(std::span<const SpanData> spans, const Resource& resource);

}  // namespace callpath::internal
