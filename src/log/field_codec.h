// The compact binary form of fields inside a queued record:
//   u8 type | u32 key length | key | value
// where value is: u32 length + bytes (string, error); 8 bytes (int, uint,
// double, duration); 1 byte (bool); u32 count + u32 byte length + children
// (object). Integers are in host order: the bytes never leave the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "callpath/log/field.h"

namespace callpath::log::detail {

// Both run on the calling thread of every logging call. The header and the
// common value types (string, integers, double, bool) are encoded inline,
// in the caller's Emit; the values of errors and nested objects go through
// the out-of-line functions below, which are marked hot (as is
// Logger::Emit): the linker groups hot functions together, and a call made
// after a pause, with cold caches and TLBs, then fetches its code from
// fewer pages.
size_t ValueSizeSlow(const Field& f) noexcept;           // kError, kObject
char* EncodeValueSlow(const Field& f, char* out) noexcept;  // kError, kObject

inline char* PutBytes(char* out, const void* p, size_t n) noexcept {
  if (n) std::memcpy(out, p, n);
  return out + n;
}
inline char* PutLength(char* out, size_t v) noexcept {
  const auto x = static_cast<uint32_t>(v);
  return PutBytes(out, &x, 4);
}

// Bytes EncodeField will write for `f`.
inline size_t EncodedSize(const Field& f) noexcept {
  const size_t header = 1 + 4 + f.key().size();
  switch (f.type()) {
    case FieldType::kString: return header + 4 + f.string_value().size();
    case FieldType::kBool: return header + 1;
    case FieldType::kError:
    case FieldType::kObject: return header + ValueSizeSlow(f);
    default: return header + 8;  // kInt, kUint, kDouble, kDuration
  }
}

// Writes `f` at `out` and returns the byte after it.
inline char* EncodeField(const Field& f, char* out) noexcept {
  *out++ = static_cast<char>(f.type());
  out = PutLength(out, f.key().size());
  out = PutBytes(out, f.key().data(), f.key().size());
  switch (f.type()) {
    case FieldType::kString: {
      const std::string_view v = f.string_value();
      out = PutLength(out, v.size());
      return PutBytes(out, v.data(), v.size());
    }
    case FieldType::kBool:
      *out++ = f.bool_value() ? 1 : 0;
      return out;
    case FieldType::kError:
    case FieldType::kObject: return EncodeValueSlow(f, out);
    case FieldType::kDouble: {
      const double d = f.double_value();
      return PutBytes(out, &d, 8);
    }
    case FieldType::kUint: {
      const uint64_t u = f.uint_value();
      return PutBytes(out, &u, 8);
    }
    default: {  // kInt, kDuration
      const int64_t i = f.int_value();
      return PutBytes(out, &i, 8);
    }
  }
}

}  // namespace callpath::log::detail
