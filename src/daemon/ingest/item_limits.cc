#include "daemon/ingest/item_limits.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "query/render_util.h"

namespace callpath::daemon {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;

struct Verdict {
  std::string why;  // "" = within the limits
  Rejections::Kind kind = Rejections::Kind::kInvalid;
};

std::string Bytes(size_t n) { return std::to_string(n) + " bytes"; }

// "30d", "1h", "90s": how the window's sides read in a message.
std::string Duration(uint64_t ns) {
  uint64_t s = ns / kNsPerSecond;
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  return std::to_string(s) + "s";
}

// Why `attrs` breaks a limit ("" when it does not). `where` says whose
// attributes they are when not the item's own ("an event's ").
std::string Violation(const ItemLimits& limits, const store::Attributes& attrs, std::string_view where = {}) {
  if (attrs.size() > limits.max_attributes) {
    return std::string(where) + std::to_string(attrs.size()) + " attributes, over the limit of " +
           std::to_string(limits.max_attributes);
  }
  const size_t cap = limits.max_attribute_value_bytes;
  for (const store::KeyValue& kv : attrs) {
    if (kv.key.size() > cap) {
      return std::string(where) + "attribute key of " + Bytes(kv.key.size()) + ", over the limit of " + Bytes(cap);
    }
    if (kv.value.text.size() > cap) {
      return std::string(where) + "attribute '" + kv.key + "' of " + std::to_string(kv.value.text.size()) +
             " bytes, over the limit of " + std::to_string(cap);
    }
  }
  return {};
}

// Why the timestamp `ns` (named `what`) is outside the window around
// `received_ns` ("" when inside, unknown (0) or unchecked).
std::string TimeViolation(const ItemLimits& limits, uint64_t received_ns, uint64_t ns, std::string_view what) {
  if (received_ns == 0) return {};
  if (limits.max_age_ns != 0 && received_ns > limits.max_age_ns && ns < received_ns - limits.max_age_ns) {
    return std::string(what) + " " + query::detail::Rfc3339Nanos(ns) + " is more than " +
           Duration(limits.max_age_ns) + " before its arrival (--max-item-age; 0 turns the check off)";
  }
  if (limits.max_future_ns != 0 && ns > received_ns + limits.max_future_ns) {
    return std::string(what) + " " + query::detail::Rfc3339Nanos(ns) + " is more than " +
           Duration(limits.max_future_ns) + " after its arrival (--max-item-future)";
  }
  return {};
}

Verdict SpanVerdict(const ItemLimits& limits, uint64_t received_ns, const store::StoredSpan& s) {
  const size_t cap = limits.max_attribute_value_bytes;
  if (s.operation.size() > cap) return {"name of " + Bytes(s.operation.size()) + ", over the limit of " + Bytes(cap)};
  std::string why = Violation(limits, s.attributes);
  for (size_t i = 0; why.empty() && i < s.events.size(); ++i) {
    if (s.events[i].name.size() > cap) {
      why = "an event's name of " + Bytes(s.events[i].name.size()) + ", over the limit of " + Bytes(cap);
    } else {
      why = Violation(limits, s.events[i].attributes, "an event's ");
    }
  }
  for (size_t i = 0; why.empty() && i < s.links.size(); ++i) {
    why = Violation(limits, s.links[i].attributes, "a link's ");
  }
  if (!why.empty()) return {std::move(why)};
  why = TimeViolation(limits, received_ns, s.start_ns, "start time");
  if (why.empty()) why = TimeViolation(limits, received_ns, s.end_ns(), "end time");
  return {std::move(why), Rejections::Kind::kOutOfWindow};
}

Verdict LogVerdict(const ItemLimits& limits, uint64_t received_ns, const store::StoredLog& l) {
  std::string why = Violation(limits, l.attributes);
  if (!why.empty()) return {std::move(why)};
  if (l.time_ns != 0) why = TimeViolation(limits, received_ns, l.time_ns, "time");
  if (why.empty() && l.observed_ns != 0) why = TimeViolation(limits, received_ns, l.observed_ns, "observed time");
  return {std::move(why), Rejections::Kind::kOutOfWindow};
}

// Keeps the items (and their parallel resource indexes) in which `check`
// finds nothing wrong; `describe` names a rejected item in the message.
template <typename Item, typename Check, typename Describe>
void Filter(std::vector<Item>* items, std::vector<uint32_t>* resource, Check check, Describe describe,
            Rejections* rejected) {
  size_t kept = 0;
  for (size_t i = 0; i < items->size(); ++i) {
    Verdict v = check(i, (*items)[i]);
    if (!v.why.empty()) {
      rejected->Add(describe((*items)[i]) + ": " + v.why, v.kind);
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

// Marks every span whose trace and span id an earlier span already has.
std::vector<bool> LaterDuplicates(const std::vector<store::StoredSpan>& spans) {
  std::vector<bool> duplicate(spans.size(), false);
  if (spans.size() < 2) return duplicate;
  // Sorted by (span id, position): equal ids end up adjacent, the first
  // occurrence leading its run.
  std::vector<std::pair<uint64_t, uint32_t>> order(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    uint64_t id;
    std::memcpy(&id, spans[i].span_id.bytes().data(), sizeof id);
    order[i] = {id, static_cast<uint32_t>(i)};
  }
  std::sort(order.begin(), order.end());
  for (size_t run = 0; run < order.size();) {
    size_t end = run + 1;
    while (end < order.size() && order[end].first == order[run].first) ++end;
    for (size_t j = run + 1; j < end; ++j) {
      for (size_t k = run; k < j; ++k) {
        const auto& a = spans[order[k].second];
        const auto& b = spans[order[j].second];
        if (!duplicate[order[k].second] && a.trace_id == b.trace_id) {
          duplicate[order[j].second] = true;
          break;
        }
      }
    }
    run = end;
  }
  return duplicate;
}

}  // namespace

void EnforceItemLimits(const ItemLimits& limits, uint64_t received_ns, store::IngestBatch* batch,
                       Rejections* rejected) {
  auto describe_span = [](const store::StoredSpan& s) {
    // Cut: the name itself may be what is too long.
    return "span '" + s.operation.substr(0, 128) + "' of " + s.service;
  };
  Filter(
      &batch->spans, &batch->span_resource,
      [&](size_t, const store::StoredSpan& s) { return SpanVerdict(limits, received_ns, s); }, describe_span,
      rejected);
  const std::vector<bool> duplicate = LaterDuplicates(batch->spans);
  Filter(
      &batch->spans, &batch->span_resource,
      [&](size_t i, const store::StoredSpan& s) {
        if (!duplicate[i]) return Verdict{};
        return Verdict{"duplicate of an earlier span with span id " + s.span_id.ToHex() + " in trace " +
                           s.trace_id.ToHex(),
                       Rejections::Kind::kDuplicateSpan};
      },
      describe_span, rejected);
  Filter(
      &batch->logs, &batch->log_resource,
      [&](size_t, const store::StoredLog& l) { return LogVerdict(limits, received_ns, l); },
      [](const store::StoredLog& l) { return "log record of " + l.service; }, rejected);
}

}  // namespace callpath::daemon
