// Compact binary encoding of the store's records: varints, length-prefixed
// strings, big-endian fixed-width integers for keys (so byte order is
// numeric order). Decoding is bounds-checked: corrupt input yields false,
// never a read past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "store/model.h"

namespace callpath::store::enc {

inline void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}
inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

inline void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s.data(), s.size());
}
inline void PutBigEndian64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 7; i >= 0; --i) { b[i] = static_cast<char>(v & 0xff); v >>= 8; }
  out->append(b, 8);
}
inline void PutBigEndian32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 3; i >= 0; --i) { b[i] = static_cast<char>(v & 0xff); v >>= 8; }
  out->append(b, 4);
}
inline uint64_t ReadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint32_t ReadBigEndian32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// A cursor over an encoded record. Every getter returns false (and leaves
// the reader failed) on truncated or malformed input.
class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift <= 63 && p_ < end_; shift += 7) {
      uint8_t b = static_cast<uint8_t>(*p_++);
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) { *v = r; return true; }
    }
    return Fail();
  }
  bool Varint32(uint32_t* v) {
    uint64_t x;
    if (!Varint(&x) || x > UINT32_MAX) return Fail();
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool Byte(uint8_t* b) {
    if (p_ >= end_) return Fail();
    *b = static_cast<uint8_t>(*p_++);
    return true;
  }
  bool Raw(size_t n, std::string_view* out) {
    if (static_cast<size_t>(end_ - p_) < n) return Fail();
    *out = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool Bytes(std::string_view* out) {
    uint64_t n;
    return Varint(&n) && Raw(n, out);
  }
  bool String(std::string* out) {
    std::string_view v;
    if (!Bytes(&v)) return false;
    out->assign(v.data(), v.size());
    return true;
  }
  bool Fixed64(uint64_t* v) {
    std::string_view r;
    if (!Raw(8, &r)) return false;
    std::memcpy(v, r.data(), 8);
    return true;
  }
  bool done() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

 private:
  bool Fail() { p_ = end_; return false; }
  const char* p_;
  const char* end_;
};

void PutValue(std::string* out, const Value& v);
bool GetValue(Reader* r, Value* v);
void PutAttributes(std::string* out, const Attributes& attrs);
bool GetAttributes(Reader* r, Attributes* attrs);

// 64-bit FNV-1a with an offset basis of 1469598103934665603 (the standard
// one short of its last digit): stable across builds and platforms, and
// kept as it is because stored keys depend on it.
uint64_t Hash64(std::string_view data);

// Span value layout (the key carries trace id, start and span id):
//   version, parent span id (8 raw bytes or absent flag), service,
//   operation, kind, duration, status, status message, flags, trace state,
//   attributes, events, links, resource hash (fixed64), scope name/version.
// Resource attributes are stored once per distinct resource, by hash.
void EncodeSpanValue(const StoredSpan& span, uint64_t resource_hash, std::string* out);
// Fills every field except trace_id, span_id, start_ns and
// resource_attributes; *resource_hash receives the hash.
bool DecodeSpanValue(std::string_view data, StoredSpan* span, uint64_t* resource_hash);
// The leading fields of a span value, what a span tree needs; the strings
// are views into the value.
struct SpanHead {
  SpanId parent;  // invalid when the span has none
  std::string_view service;
  std::string_view operation;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t duration_ns = 0;
  SpanStatus status = SpanStatus::kUnset;
};
// Only the head; the rest of the value is not read. False on malformed
// input.
bool DecodeSpanHead(std::string_view data, SpanHead* head);
// The head into *span (GetTraceSkeleton): parent id, service, operation,
// kind, duration and status.
bool DecodeSpanSkeleton(std::string_view data, StoredSpan* span);
// Only parent id and service.
bool DecodeSpanParentAndService(std::string_view data, SpanId* parent, std::string_view* service);

// Log value: everything except resource attributes (stored by hash),
// the template id last. Records written before it was kept decode with
// template_id 0.
void EncodeLogValue(const StoredLog& log, uint64_t resource_hash, std::string* out);
bool DecodeLogValue(std::string_view data, StoredLog* log, uint64_t* resource_hash);

}  // namespace callpath::store::enc
