// OTLP protobuf request decoding for the receivers: the zero-copy decoders
// of callpath::otlp, then conversion into the store's model.
//
// Same two failure levels as the JSON decoder (otlp_json_decoder.h):
// malformed protobuf -> InvalidArgument for the whole request; a span or
// log record that is semantically invalid (id of the wrong length or all
// zero, end before start, a string that is not UTF-8) -> counted in the
// batch's rejections, the others kept.
//
// Thread-safe (per-thread scratch state). Never throws.
#pragma once

#include <string_view>

#include "callpath/status.h"
#include "daemon/otlp_batch.h"

namespace callpath::daemon {

// `out` should be empty; after an error its contents are unspecified.
Status DecodeOtlpProtoTraces(std::string_view body, SpanBatch* out);
Status DecodeOtlpProtoLogs(std::string_view body, LogBatch* out);

}  // namespace callpath::daemon
