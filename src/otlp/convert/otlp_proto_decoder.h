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

#include <cstdint>
#include <string>
#include <string_view>

#include "callpath/status.h"
#include "otlp/convert/otlp_batch.h"
#include "store/store.h"

namespace callpath::daemon {

// What the receivers use: items appended to `out` with each resource
// stored once (store::IngestBatch), rejections counted in `rejected`. When
// the body needed salvaging (an id of the wrong length) and `cleaned` is
// given, it receives the salvaged body - what a replay must decode to get
// the same items; otherwise it is left empty.
Status DecodeOtlpProtoTraces(std::string_view body, store::IngestBatch* out, Rejections* rejected,
                             std::string* cleaned = nullptr);
Status DecodeOtlpProtoLogs(std::string_view body, store::IngestBatch* out, Rejections* rejected,
                           std::string* cleaned = nullptr);

// The same into the store's plain model (resource attributes copied into
// every item).
// `out` should be empty; after an error its contents are unspecified.
Status DecodeOtlpProtoTraces(std::string_view body, SpanBatch* out);
Status DecodeOtlpProtoLogs(std::string_view body, LogBatch* out);

}  // namespace callpath::daemon
