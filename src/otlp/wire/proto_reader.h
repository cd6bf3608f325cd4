// ProtoReader: a zero-copy, bounds-checked walk over the fields of one
// protobuf message held in a std::string_view.
//
//   ProtoReader r(body);
//   ProtoField f;
//   while (r.Next(&f)) {
//     if (f.number == fields::Span::kName && f.type == WireType::kLengthDelimited)
//       name = f.bytes;  // a view into `body`
//   }
//   if (!r.ok()) return Fail(r.error());
//
// Every read is checked against the end of the input. Malformed input — a
// truncated or over-long (>10 byte) varint, a tag over 5 bytes or 32 bits,
// field number 0, a length running past the end, a group (wire types 3/4)
// or an unknown wire type (6/7) — stops the walk with an error; it is never
// read out of bounds. Unknown fields need no special handling: the caller
// just ignores fields it does not know (their payload is already skipped).
//
// The reader does not own the input, which must outlive it and every view
// it hands out. One reader per thread.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "otlp/wire/wire_format.h"

namespace callpath::otlp {

// One field as read off the wire. Interpret the value by the field's
// declared type with the accessors; they never fail.
struct ProtoField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t scalar = 0;     // kVarint value, or the kFixed32 / kFixed64 bits
  std::string_view bytes;  // kLengthDelimited payload (a view into the input)

  uint64_t as_uint64() const noexcept { return scalar; }
  uint32_t as_uint32() const noexcept { return static_cast<uint32_t>(scalar); }
  int64_t as_int64() const noexcept { return static_cast<int64_t>(scalar); }
  // int32 and enums: protobuf keeps the low 32 bits.
  int32_t as_int32() const noexcept { return static_cast<int32_t>(static_cast<uint32_t>(scalar)); }
  int64_t as_sint64() const noexcept { return ZigZagDecode64(scalar); }
  int32_t as_sint32() const noexcept { return ZigZagDecode32(static_cast<uint32_t>(scalar)); }
  bool as_bool() const noexcept { return scalar != 0; }
  double as_double() const noexcept {
    double d;
    std::memcpy(&d, &scalar, sizeof d);
    return d;
  }
  float as_float() const noexcept {
    uint32_t bits = static_cast<uint32_t>(scalar);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
};

// Reads one varint at data[*pos], advancing *pos. False (and *pos unchanged)
// when the input ends inside it or it runs past 10 bytes. Bits beyond 64 in
// a 10th byte are dropped, as libprotobuf does.
bool ReadVarint(std::string_view data, size_t* pos, uint64_t* out) noexcept;

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data) noexcept : data_(data) {}

  // Reads the next field into *f. Returns false at the end of the message
  // or on malformed input; then ok() tells which.
  bool Next(ProtoField* f) noexcept {
    // Inline: the fields of OTLP are mostly one-byte tags with a one-byte
    // varint, a one-byte length or eight fixed bytes (timestamps); a call
    // per field cost a third of decoding. Everything else, errors
    // included, takes the full path from the same position.
    const size_t p = pos_;
    if (error_ != nullptr || p + 2 > data_.size()) return NextSlow(f);
    const auto tag = static_cast<uint8_t>(data_[p]);
    const auto next = static_cast<uint8_t>(data_[p + 1]);
    if (tag >= 0x80 || (tag >> 3) == 0) return NextSlow(f);
    switch (static_cast<WireType>(tag & 7)) {
      case WireType::kLengthDelimited:
        if (next >= 0x80 || next > data_.size() - p - 2) return NextSlow(f);
        Set(f, tag, next, data_.substr(p + 2, next));
        pos_ = p + 2 + next;
        return true;
      case WireType::kVarint:
        if (next >= 0x80) return NextSlow(f);
        Set(f, tag, next, {});
        pos_ = p + 2;
        return true;
      case WireType::kFixed64: {
        if (data_.size() - p - 1 < 8) return NextSlow(f);
        uint64_t v;
        std::memcpy(&v, data_.data() + p + 1, 8);
        if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
        Set(f, tag, v, {});
        pos_ = p + 9;
        return true;
      }
      default:
        return NextSlow(f);
    }
  }

  bool ok() const noexcept { return error_ == nullptr; }
  // What was malformed (a static string), or nullptr.
  const char* error() const noexcept { return error_; }
  // Offset of the next field, or of the malformed one after an error.
  size_t position() const noexcept { return pos_; }
  bool at_end() const noexcept { return pos_ >= data_.size(); }

 private:
  static void Set(ProtoField* f, uint8_t tag, uint64_t scalar, std::string_view bytes) noexcept {
    f->number = tag >> 3;
    f->type = static_cast<WireType>(tag & 7);
    f->scalar = scalar;
    f->bytes = bytes;
  }
  // Next for any field, from pos_ (malformed input included).
  bool NextSlow(ProtoField* f) noexcept;
  bool Fail(const char* why) noexcept {
    error_ = why;
    return false;
  }

  std::string_view data_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
};

}  // namespace callpath::otlp
