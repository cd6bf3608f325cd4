// OTLP/JSON request decoding (simdjson), following OTLP's JSON rules:
// lowerCamelCase keys, trace/span ids as hex (either case), 64-bit integers
// as decimal strings or numbers, enums as integers, bytesValue as base64,
// unknown keys ignored, null treated as absent.
//
// Two levels of failure:
//  - the body is not JSON, or a known field has the wrong JSON type: the
//    whole request is undecodable -> InvalidArgument (HTTP 400);
//  - one span/log record is semantically invalid (bad id length or hex,
//    end before start): that item is counted in the batch's rejections and
//    the rest is kept (HTTP 200 with partial_success).
//
// Thread-safe: each thread uses its own parser. Never throws.
#pragma once

#include <string_view>

#include "callpath/status.h"
#include "otlp/convert/otlp_batch.h"

namespace callpath::daemon {

// ExportTraceServiceRequest -> out->spans and out->rejected. `out` should
// be empty; after an error its contents are unspecified (discard it).
Status DecodeOtlpJsonTraces(std::string_view body, SpanBatch* out);

// ExportLogsServiceRequest -> out->logs, same contract.
Status DecodeOtlpJsonLogs(std::string_view body, LogBatch* out);

}  // namespace callpath::daemon
