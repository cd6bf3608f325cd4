#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace callpath::log::detail {

// What a Logger carries; immutable once shared, except the level.
// Laid out so that a call without bound fields or an explicit context reads
// one cache line: the level, the flags, the name (short names are stored
// inline) and the bound fields' size.
struct alignas(64) LoggerState {
  mutable std::atomic<uint8_t> level{0xff};  // 0xff: follow the global level
  bool has_context = false;      // WithContext: use these ids, not the thread's
  uint8_t trace_flags = 0;
  uint32_t bound_count = 0;
  std::string name;
  std::string bound;             // encoded With() fields (field_codec.h)
  uint8_t trace_id[16] = {};
  uint8_t span_id[8] = {};

  LoggerState() = default;
  LoggerState(const LoggerState& o)
      : level(o.level.load(std::memory_order_relaxed)), has_context(o.has_context),
        trace_flags(o.trace_flags), bound_count(o.bound_count), name(o.name), bound(o.bound) {
    for (int i = 0; i < 16; ++i) trace_id[i] = o.trace_id[i];
    for (int i = 0; i < 8; ++i) span_id[i] = o.span_id[i];
  }
};

}  // namespace callpath::log::detail
