// The compact binary form of fields inside a queued record:
//   u8 type | u32 key length | key | value
// where value is: u32 length + bytes (string, error); 8 bytes (int, uint,
// double, duration); 1 byte (bool); u32 count + u32 byte length + children
// (object). Integers are in host order: the bytes never leave the process.
#pragma once

#include <cstddef>
#include <cstdint>

#include "callpath/log/field.h"

namespace callpath::log::detail {

// Both run on the calling thread of every logging call, so they are marked
// hot (as is Logger::Emit): the linker groups hot functions together, and a
// call made after a pause, with cold caches and TLBs, then fetches its code
// from fewer pages.
// Bytes EncodeField will write for `f`.
size_t EncodedSize(const Field& f) noexcept;
// Writes `f` at `out` and returns the byte after it.
char* EncodeField(const Field& f, char* out) noexcept;

}  // namespace callpath::log::detail
