// Span lookup by id within one assembled trace (internal to src/analyze).
#pragma once

#include <cstdint>
#include <cstring>
#include <unordered_map>

#include "query/assembled_trace.h"

namespace callpath::analyze {

struct SpanIdHash {
  size_t operator()(const SpanId& id) const noexcept {
    uint64_t k;
    std::memcpy(&k, id.bytes().data(), sizeof k);
    return static_cast<size_t>(k);
  }
};

using SpanIndex = std::unordered_map<SpanId, size_t, SpanIdHash>;

// Index into trace.spans by span id.
inline SpanIndex IndexBySpanId(const query::AssembledTrace& t) {
  SpanIndex index;
  index.reserve(t.spans.size());
  for (size_t i = 0; i < t.spans.size(); ++i) index.emplace(t.spans[i].span_id, i);
  return index;
}

}  // namespace callpath::analyze
