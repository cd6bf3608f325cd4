#include "daemon/ingest/item_limits.h"

#include <string>

namespace callpath::daemon {
namespace {

// Why `attrs` breaks a limit ("" when it does not). `where` says whose
// attributes they are when not the item's own ("an event's ").
std::string Violation(const ItemLimits& limits, const store::Attributes& attrs, std::string_view where = {}) {
  if (attrs.size() > limits.max_attributes) {
    return std::string(where) + std::to_string(attrs.size()) + " attributes, over the limit of " +
           std::to_string(limits.max_attributes);
  }
  for (const store::KeyValue& kv : attrs) {
    if (kv.value.text.size() > limits.max_attribute_value_bytes) {
      return std::string(where) + "attribute '" + kv.key + "' of " + std::to_string(kv.value.text.size()) +
             " bytes, over the limit of " + std::to_string(limits.max_attribute_value_bytes);
    }
  }
  return {};
}

std::string SpanViolation(const ItemLimits& limits, const store::StoredSpan& s) {
  std::string why = Violation(limits, s.attributes);
  for (size_t i = 0; why.empty() && i < s.events.size(); ++i) {
    why = Violation(limits, s.events[i].attributes, "an event's ");
  }
  for (size_t i = 0; why.empty() && i < s.links.size(); ++i) {
    why = Violation(limits, s.links[i].attributes, "a link's ");
  }
  return why;
}

// Keeps the items (and their parallel resource indexes) that `check` finds
// nothing wrong with; `describe` names a rejected item in the message.
template <typename Item, typename Check, typename Describe>
void Filter(std::vector<Item>* items, std::vector<uint32_t>* resource, Check check, Describe describe,
            Rejections* rejected) {
  size_t kept = 0;
  for (size_t i = 0; i < items->size(); ++i) {
    std::string why = check((*items)[i]);
    if (!why.empty()) {
      rejected->Add(describe((*items)[i]) + ": " + why);
      continue;
    }
    if (kept != i) {
      (*items)[kept] = std::move((*items)[i]);
      (*resource)[kept] = (*resource)[i];
    }
    ++kept;
  }
  items->resize(kept);
  resource->resize(kept);
}

}  // namespace

void EnforceItemLimits(const ItemLimits& limits, store::IngestBatch* batch, Rejections* rejected) {
  Filter(
      &batch->spans, &batch->span_resource, [&](const store::StoredSpan& s) { return SpanViolation(limits, s); },
      [](const store::StoredSpan& s) { return "span '" + s.operation + "' of " + s.service; }, rejected);
  Filter(
      &batch->logs, &batch->log_resource, [&](const store::StoredLog& l) { return Violation(limits, l.attributes); },
      [](const store::StoredLog& l) { return "log record of " + l.service; }, rejected);
}

}  // namespace callpath::daemon
