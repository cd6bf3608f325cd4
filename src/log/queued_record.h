// The layout of one record in a per-thread ring, written by Logger::Emit
// and read by the background thread:
//   QueuedHeader | logger name | message | encoded fields | padding to 8
#pragma once

#include <cstdint>

namespace callpath::log::detail {

struct QueuedHeader {
  uint32_t size;         // whole record, multiple of 8 (the ring's framing)
  uint8_t kind;          // kRecordKind (the ring uses 0xff for padding)
  uint8_t level;
  uint8_t trace_flags;
  uint8_t reserved;
  uint64_t ticks;        // Ticks() at the call
  const char* file;      // the caller's __FILE__: a static string
  uint32_t line;
  uint32_t message_size;
  uint32_t name_size;
  uint32_t field_count;  // top-level fields (bound + call)
  uint8_t trace_id[16];  // all zero: no span
  uint8_t span_id[8];
};
static_assert(sizeof(QueuedHeader) == 64);

constexpr uint8_t kRecordKind = 1;

constexpr size_t Align8(size_t n) { return (n + 7) & ~size_t{7}; }

}  // namespace callpath::log::detail
