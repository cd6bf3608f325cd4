// A finished span as a compact byte record, so the thread that ends it can
// copy it into its own ring and keep its SpanData (and that object's heap
// buffers) in its own cache instead of handing them to the export thread.
//
// Layout: a fixed header (ids, times, flags, counts, lengths), an optional
// TraceState object constructed in place, then the name, the status message
// and the attributes as (type, key length, value) entries. Only spans of
// the common shape are encoded: no events, no links, scalar or string
// attributes. Anything else travels as an owned SpanData pointer (see
// span_ring.h), which costs an allocation but loses nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "callpath/span_data.h"

namespace callpath::detail {

// Records start 8-byte aligned and their sizes are multiples of 8.
constexpr size_t kRecordAlign = 8;

// The encoded size of `span` in bytes, or 0 if the span cannot be encoded
// (events, links or array attributes) and must be handed over as a pointer.
size_t EncodedSpanSize(const SpanData& span) noexcept;

// Writes `span` into `out` (8-byte aligned, EncodedSpanSize(span) bytes).
// A non-empty TraceState is copied into the record as an object: the record
// then owns a reference until DecodeSpan or DiscardEncodedSpan runs.
void EncodeSpan(const SpanData& span, std::byte* out) noexcept;

// Rebuilds the span into `out`, reusing the capacity of its strings and
// vectors. Consumes the record (its TraceState reference moves to `out`).
void DecodeSpan(std::byte* record, SpanData& out) noexcept;

// Releases what a record owns without decoding it.
void DiscardEncodedSpan(std::byte* record) noexcept;

}  // namespace callpath::detail
