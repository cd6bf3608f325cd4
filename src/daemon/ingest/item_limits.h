// Per-item limits on what callpathd stores. An item over a limit is
// rejected on its own (OTLP partial success, with the limit named in the
// message); the rest of its request is kept.
//
//  - attributes per span, event, link or log record (max_attributes);
//  - bytes of one attribute value, and of one attribute key, span name or
//    event name (max_attribute_value_bytes: names and keys are capped like
//    values, so no field of an item is unbounded);
//  - timestamps: a span whose start or end, or a log record whose time or
//    observed time, lies more than max_age_ns before its arrival or more
//    than max_future_ns after it is rejected, not clamped - a clamped time
//    would put the item where it never happened in every trace view, and
//    a rejection tells the sender its clock is wrong. 0 turns either side
//    of the check off (backfills of old data);
//  - span ids: a span repeating the trace and span id of an earlier span
//    of the same request is rejected as a duplicate (the store keeps one
//    span per id; before, the later one silently replaced the earlier).
//
// Conforming SDKs stay under the defaults: OpenTelemetry's attribute count
// limit is 128 by default.
#pragma once

#include <cstddef>
#include <cstdint>

#include "otlp/convert/otlp_batch.h"
#include "store/store.h"

namespace callpath::daemon {

struct ItemLimits {
  size_t max_attributes = 128;               // per span, event, link, log record
  size_t max_attribute_value_bytes = 65536;  // one value, key, span or event name
  uint64_t max_age_ns = 30ull * 24 * 3600 * 1'000'000'000;  // 0 = no limit
  uint64_t max_future_ns = 3600ull * 1'000'000'000;         // 0 = no limit
};

// Removes from `batch` every span and log record over a limit, adding one
// reason per removed item to `rejected`. `received_ns` is when the request
// arrived (Unix ns), the centre of the timestamp window; replay passes the
// time kept in the WAL so that it decides as the first time did.
void EnforceItemLimits(const ItemLimits& limits, uint64_t received_ns, store::IngestBatch* batch,
                       Rejections* rejected);

}  // namespace callpath::daemon
