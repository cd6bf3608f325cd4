#include <utility>

#include "store/store.h"

namespace callpath::store {

namespace {

// Index of `attrs` in `resources`, appending it if new. A batch holds few
// distinct resources (one per service instance), so a scan beats hashing.
uint32_t ResourceIndex(std::vector<Attributes>& resources, Attributes&& attrs) {
  for (size_t i = 0; i < resources.size(); ++i) {
    if (resources[i] == attrs) return static_cast<uint32_t>(i);
  }
  resources.push_back(std::move(attrs));
  return static_cast<uint32_t>(resources.size() - 1);
}

}  // namespace

IngestBatch MakeIngestBatch(std::vector<StoredSpan> spans, std::vector<StoredLog> logs) {
  IngestBatch batch;
  batch.span_resource.reserve(spans.size());
  for (StoredSpan& span : spans) {
    batch.span_resource.push_back(ResourceIndex(batch.resources, std::move(span.resource_attributes)));
    span.resource_attributes.clear();
  }
  batch.log_resource.reserve(logs.size());
  for (StoredLog& log : logs) {
    batch.log_resource.push_back(ResourceIndex(batch.resources, std::move(log.resource_attributes)));
    log.resource_attributes.clear();
  }
  batch.spans = std::move(spans);
  batch.logs = std::move(logs);
  return batch;
}

}  // namespace callpath::store
