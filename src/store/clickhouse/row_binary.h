// ClickHouse's RowBinary format, both ways: what inserts are encoded in
// and what queries answer in (FORMAT RowBinary). Integers little-endian,
// strings and array lengths as LEB128 varints then the bytes, FixedString(N)
// as exactly N bytes. Decoding is bounds-checked: a short or malformed
// answer makes the reader fail, never read past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "callpath/ids.h"

namespace callpath::store::ch {

class RowWriter {
 public:
  explicit RowWriter(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Fixed(&v, 4); }
  void I32(int32_t v) { Fixed(&v, 4); }
  void U64(uint64_t v) { Fixed(&v, 8); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void String(std::string_view s) {
    Varint(s.size());
    out_->append(s.data(), s.size());
  }
  void Trace(const TraceId& id) { out_->append(reinterpret_cast<const char*>(id.bytes().data()), 16); }
  void Span(const SpanId& id) { out_->append(reinterpret_cast<const char*>(id.bytes().data()), 8); }
  // An array's length; its elements follow, written by the caller.
  void ArraySize(size_t n) { Varint(n); }
  // Bytes already in RowBinary (columns encoded once, copied many times).
  void Raw(std::string_view bytes) { out_->append(bytes.data(), bytes.size()); }

 private:
  void Fixed(const void* v, size_t n) { out_->append(static_cast<const char*>(v), n); }  // x86-64 and arm64 are little-endian
  std::string* out_;
};

class RowReader {
 public:
  explicit RowReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  bool done() const { return p_ == end_; }
  bool ok() const { return ok_; }
  uint8_t U8() { uint8_t v = 0; Fixed(&v, 1); return v; }
  uint32_t U32() { uint32_t v = 0; Fixed(&v, 4); return v; }
  int32_t I32() { int32_t v = 0; Fixed(&v, 4); return v; }
  uint64_t U64() { uint64_t v = 0; Fixed(&v, 8); return v; }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) break;
      const auto b = static_cast<uint8_t>(*p_++);
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  std::string String() {
    const uint64_t n = Varint();
    if (!ok_ || n > static_cast<uint64_t>(end_ - p_)) {
      ok_ = false;
      p_ = end_;
      return {};
    }
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  TraceId Trace() {
    uint8_t b[16] = {};
    Fixed(b, 16);
    return TraceId(b);
  }
  SpanId Span() {
    uint8_t b[8] = {};
    Fixed(b, 8);
    return SpanId(b);
  }
  // An array's length, refused when larger than what is left could hold.
  size_t ArraySize() {
    const uint64_t n = Varint();
    if (n > static_cast<uint64_t>(end_ - p_)) ok_ = false;
    return ok_ ? static_cast<size_t>(n) : 0;
  }

 private:
  void Fixed(void* v, size_t n) {
    if (!ok_ || static_cast<size_t>(end_ - p_) < n) {
      ok_ = false;
      p_ = end_;
      return;
    }
    std::memcpy(v, p_, n);
    p_ += n;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace callpath::store::ch
