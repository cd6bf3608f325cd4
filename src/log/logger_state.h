#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace callpath::log::detail {

// What a Logger carries; immutable once shared, except the level.
struct LoggerState {
  std::string name;
  std::string bound;             // encoded With() fields (field_codec.h)
  uint32_t bound_count = 0;
  mutable std::atomic<uint8_t> level{0xff};  // 0xff: follow the global level
  bool has_context = false;      // WithContext: use these ids, not the thread's
  uint8_t trace_id[16] = {};
  uint8_t span_id[8] = {};
  uint8_t trace_flags = 0;

  LoggerState() = default;
  LoggerState(const LoggerState& o)
      : name(o.name), bound(o.bound), bound_count(o.bound_count),
        level(o.level.load(std::memory_order_relaxed)), has_context(o.has_context),
        trace_flags(o.trace_flags) {
    for (int i = 0; i < 16; ++i) trace_id[i] = o.trace_id[i];
    for (int i = 0; i < 8; ++i) span_id[i] = o.span_id[i];
  }
};

}  // namespace callpath::log::detail
