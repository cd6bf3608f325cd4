// Per-item limits on what callpathd stores: how many attributes one span,
// event, link or log record may carry, and how long one attribute value may
// be. An item over a limit is rejected on its own (OTLP partial success,
// with the limit named in the message); the rest of its request is kept.
//
// Conforming SDKs stay under the defaults: OpenTelemetry's attribute count
// limit is 128 by default.
#pragma once

#include <cstddef>

#include "store/store.h"
#include "otlp/convert/otlp_batch.h"

namespace callpath::daemon {

struct ItemLimits {
  size_t max_attributes = 128;              // per span, event, link, log record
  size_t max_attribute_value_bytes = 65536;  // string, bytes or JSON text of one value
};

// Removes from `batch` every span and log record over a limit, adding one
// reason per removed item to `rejected`.
void EnforceItemLimits(const ItemLimits& limits, store::IngestBatch* batch, Rejections* rejected);

}  // namespace callpath::daemon
