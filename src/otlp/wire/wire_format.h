// Protobuf wire-format basics shared by ProtoWriter and ProtoReader: wire
// types, tags, varint and zigzag encoding. Header-only and allocation-free.
#pragma once

#include <cstddef>
#include <cstdint>

namespace callpath::otlp {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,  // deprecated groups: rejected by ProtoReader
  kEndGroup = 4,
  kFixed32 = 5,
};

// Largest field number protobuf allows (29 bits).
inline constexpr uint32_t kMaxFieldNumber = (1u << 29) - 1;
// A varint never takes more than 10 bytes.
inline constexpr size_t kMaxVarintSize = 10;

constexpr uint32_t MakeTag(uint32_t field, WireType type) noexcept {
  return (field << 3) | static_cast<uint32_t>(type);
}

// Bytes the varint encoding of `v` takes (1..10).
constexpr size_t VarintSize(uint64_t v) noexcept {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes the varint encoding of `v` to `p` (room for kMaxVarintSize bytes);
// returns the number of bytes written.
inline size_t EncodeVarint(uint64_t v, char* p) noexcept {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<char>(v);
  return n;
}

constexpr uint64_t ZigZagEncode64(int64_t v) noexcept {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int64_t ZigZagDecode64(uint64_t v) noexcept {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
constexpr uint32_t ZigZagEncode32(int32_t v) noexcept {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
constexpr int32_t ZigZagDecode32(uint32_t v) noexcept {
  return static_cast<int32_t>(v >> 1) ^ -static_cast<int32_t>(v & 1);
}

}  // namespace callpath::otlp
