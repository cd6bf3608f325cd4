// ProtoWriter: appends protobuf wire format to a std::string in one pass.
//
//   std::string buf;
//   ProtoWriter w(&buf);
//   auto span = w.BeginNested(fields::ScopeSpans::kSpans, 256);
//   w.Bytes(fields::Span::kTraceId, trace_id_bytes);
//   w.Fixed64(fields::Span::kStartTimeUnixNano, start);
//   w.EndNested(span);
//
// Scalar and string setters follow proto3 implicit presence by default: a
// zero number, false or an empty string writes nothing, exactly as
// libprotobuf would serialize the message. Pass Presence::kExplicit for oneof
// members and anything else that must appear even when it is the default.
//
// Nested messages: BeginNested reserves a length slot as wide as the varint
// of the caller's size hint; EndNested writes the real length and, only when
// the hint was wrong, shifts the body to fit the slot (one memmove). Output
// is always the canonical minimal encoding.
//
// Threads: a ProtoWriter is a cursor on one string; use one per thread.
// The writer does not own the string, which must outlive it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "otlp/wire/wire_format.h"

namespace callpath::otlp {

enum class Presence : uint8_t {
  kImplicit,  // proto3 default: skip zero / empty values
  kExplicit,  // always write (oneof members, optional fields)
};

class ProtoWriter {
 public:
  // Appends to *out, after whatever it already holds.
  explicit ProtoWriter(std::string* out) noexcept : out_(out) {}

  std::string* buffer() const noexcept { return out_; }

  // ---- low level ------------------------------------------------------
  void Varint(uint64_t v) {
    char buf[kMaxVarintSize];
    out_->append(buf, EncodeVarint(v, buf));
  }
  void Tag(uint32_t field, WireType type) { Varint(MakeTag(field, type)); }
  void Raw(std::string_view bytes) { out_->append(bytes.data(), bytes.size()); }
  void RawFixed32(uint32_t v) {
    char buf[4];
    for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>(v >> (8 * i));
    out_->append(buf, 4);
  }
  void RawFixed64(uint64_t v) {
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));
    out_->append(buf, 8);
  }

  // ---- scalar fields --------------------------------------------------
  // uint32, uint64 (and enums/int32 that are known to be non-negative).
  void Uint64(uint32_t field, uint64_t v, Presence p = Presence::kImplicit) {
    if (v == 0 && p == Presence::kImplicit) return;
    char buf[2 * kMaxVarintSize];
    size_t n = EncodeVarint(MakeTag(field, WireType::kVarint), buf);
    n += EncodeVarint(v, buf + n);
    out_->append(buf, n);
  }
  void Uint32(uint32_t field, uint32_t v, Presence p = Presence::kImplicit) { Uint64(field, v, p); }
  // int64 and int32: negative values take 10 bytes (two's complement,
  // int32 sign-extended), as protobuf specifies.
  void Int64(uint32_t field, int64_t v, Presence p = Presence::kImplicit) {
    Uint64(field, static_cast<uint64_t>(v), p);
  }
  void Int32(uint32_t field, int32_t v, Presence p = Presence::kImplicit) {
    Uint64(field, static_cast<uint64_t>(static_cast<int64_t>(v)), p);
  }
  void Enum(uint32_t field, int32_t v, Presence p = Presence::kImplicit) { Int32(field, v, p); }
  void Sint64(uint32_t field, int64_t v, Presence p = Presence::kImplicit) {
    Uint64(field, ZigZagEncode64(v), p);
  }
  void Sint32(uint32_t field, int32_t v, Presence p = Presence::kImplicit) {
    Uint64(field, ZigZagEncode32(v), p);
  }
  void Bool(uint32_t field, bool v, Presence p = Presence::kImplicit) { Uint64(field, v ? 1 : 0, p); }

  void Fixed32(uint32_t field, uint32_t v, Presence p = Presence::kImplicit) {
    if (v == 0 && p == Presence::kImplicit) return;
    Tag(field, WireType::kFixed32);
    RawFixed32(v);
  }
  void Fixed64(uint32_t field, uint64_t v, Presence p = Presence::kImplicit) {
    if (v == 0 && p == Presence::kImplicit) return;
    Tag(field, WireType::kFixed64);
    RawFixed64(v);
  }
  // Skipped only for +0.0 (all bits zero), like libprotobuf: -0.0 is written.
  void Double(uint32_t field, double v, Presence p = Presence::kImplicit) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    Fixed64(field, bits, p);
  }
  void Float(uint32_t field, float v, Presence p = Presence::kImplicit) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    Fixed32(field, bits, p);
  }

  // ---- length-delimited fields ---------------------------------------
  void Bytes(uint32_t field, std::string_view v, Presence p = Presence::kImplicit) {
    if (v.empty() && p == Presence::kImplicit) return;
    char buf[2 * kMaxVarintSize];
    size_t n = EncodeVarint(MakeTag(field, WireType::kLengthDelimited), buf);
    n += EncodeVarint(v.size(), buf + n);
    out_->append(buf, n);
    out_->append(v.data(), v.size());
  }
  // Same wire form as Bytes; the caller promises UTF-8 (protobuf `string`).
  void String(uint32_t field, std::string_view v, Presence p = Presence::kImplicit) {
    Bytes(field, v, p);
  }
  // Tag and length of a length-delimited field whose `size` payload bytes the
  // caller appends next (e.g. with Raw), for values built from pieces.
  void LengthDelimitedHeader(uint32_t field, size_t size) {
    char buf[2 * kMaxVarintSize];
    size_t n = EncodeVarint(MakeTag(field, WireType::kLengthDelimited), buf);
    n += EncodeVarint(size, buf + n);
    out_->append(buf, n);
  }

  // ---- nested messages ------------------------------------------------
  // Marks an open nested message; pass it back to EndNested. Nested
  // messages must be closed in reverse order of opening.
  struct Nested {
    size_t body_start;  // offset of the first body byte
    uint8_t slot;       // bytes reserved for the length varint
  };

  // Writes the tag and reserves a length slot sized for `size_hint` body
  // bytes. A good hint avoids moving the body in EndNested; any hint gives
  // correct output.
  Nested BeginNested(uint32_t field, size_t size_hint = 0) {
    Tag(field, WireType::kLengthDelimited);
    uint8_t slot = static_cast<uint8_t>(VarintSize(size_hint));
    out_->append(slot, '\0');
    return Nested{out_->size(), slot};
  }

  // Writes the body length into the slot (moving the body when the slot
  // had the wrong width). The field stays even if its body is empty:
  // protobuf message fields have explicit presence.
  void EndNested(Nested n) {
    size_t len = out_->size() - n.body_start;
    size_t need = VarintSize(len);
    if (need != n.slot) ResizeSlot(&n, need);
    EncodeVarint(len, out_->data() + n.body_start - n.slot);
  }

  // Like EndNested, but drops the whole field (tag included) when nothing
  // was written into it. Returns true when the field was kept.
  bool EndNestedOmitIfEmpty(Nested n, uint32_t field) {
    if (out_->size() == n.body_start) {
      out_->resize(n.body_start - n.slot - VarintSize(MakeTag(field, WireType::kLengthDelimited)));
      return false;
    }
    EndNested(n);
    return true;
  }

 private:
  // Moves the body so the slot is `need` bytes wide (rare path).
  void ResizeSlot(Nested* n, size_t need);

  std::string* out_;
};

}  // namespace callpath::otlp
