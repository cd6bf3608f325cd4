#include "otlp/wire/proto_reader.h"

namespace callpath::otlp {

bool ReadVarint(std::string_view data, size_t* pos, uint64_t* out) noexcept {
  size_t p = *pos;
  const size_t end = data.size();
  // Fast path: a one-byte varint (tags, small lengths, small counts).
  if (p < end && static_cast<uint8_t>(data[p]) < 0x80) {
    *out = static_cast<uint8_t>(data[p]);
    *pos = p + 1;
    return true;
  }
  uint64_t v = 0;
  for (unsigned shift = 0, i = 0; i < kMaxVarintSize; ++i, shift += 7) {
    if (p >= end) return false;
    uint8_t b = static_cast<uint8_t>(data[p++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;  // shift 63: only bit 0 lands
    if (b < 0x80) {
      *out = v;
      *pos = p;
      return true;
    }
  }
  return false;  // an 11th byte would be needed
}

bool ProtoReader::NextSlow(ProtoField* f) noexcept {
  if (error_ != nullptr || pos_ >= data_.size()) return false;

  size_t p = pos_;
  uint64_t tag;
  if (!ReadVarint(data_, &p, &tag)) return Fail("truncated or over-long varint in tag");
  // libprotobuf reads tags as 32-bit varints of at most 5 bytes.
  if (p - pos_ > 5 || tag > 0xffffffffu) return Fail("tag wider than 32 bits");
  const uint32_t number = static_cast<uint32_t>(tag >> 3);
  if (number == 0) return Fail("field number 0");
  f->number = number;
  f->type = static_cast<WireType>(tag & 7);
  f->bytes = {};

  const size_t remaining_after_tag = data_.size() - p;
  switch (f->type) {
    case WireType::kVarint:
      if (!ReadVarint(data_, &p, &f->scalar)) return Fail("truncated or over-long varint");
      break;
    case WireType::kFixed64: {
      if (remaining_after_tag < 8) return Fail("truncated fixed64");
      uint64_t v = 0;
      for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[p + i]);
      f->scalar = v;
      p += 8;
      break;
    }
    case WireType::kFixed32: {
      if (remaining_after_tag < 4) return Fail("truncated fixed32");
      uint32_t v = 0;
      for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[p + i]);
      f->scalar = v;
      p += 4;
      break;
    }
    case WireType::kLengthDelimited: {
      uint64_t len;
      if (!ReadVarint(data_, &p, &len)) return Fail("truncated or over-long length");
      if (len > data_.size() - p) return Fail("length runs past the end of the message");
      f->bytes = data_.substr(p, static_cast<size_t>(len));
      f->scalar = len;
      p += static_cast<size_t>(len);
      break;
    }
    case WireType::kStartGroup:
    case WireType::kEndGroup:
      return Fail("groups (wire types 3 and 4) are not supported");
    default:
      return Fail("invalid wire type");
  }
  pos_ = p;
  return true;
}

}  // namespace callpath::otlp
