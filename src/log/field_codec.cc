#include "log/field_codec.h"

#include <cstring>
#include <string_view>

#include "callpath/log/record.h"

namespace callpath::log::detail {
namespace {

std::string_view ExceptionText(const std::exception& e) noexcept {
  const char* w = e.what();
  return w ? std::string_view(w) : std::string_view();
}

size_t ErrorTextSize(const Field& f) noexcept {
  if (const std::exception* e = f.exception()) return ExceptionText(*e).size();
  if (const Status* s = f.status()) {
    std::string_view code = StatusCodeName(s->code());
    return s->ok() ? code.size() : code.size() + 2 + s->message().size();
  }
  return 0;
}

}  // namespace

[[gnu::hot]] size_t ValueSizeSlow(const Field& f) noexcept {
  if (f.type() == FieldType::kError) return 4 + ErrorTextSize(f);
  size_t n = 8;  // kObject: count and byte length
  for (size_t i = 0; i < f.object_size(); ++i) n += EncodedSize(f.object_begin()[i]);
  return n;
}

[[gnu::hot]] char* EncodeValueSlow(const Field& f, char* out) noexcept {
  if (f.type() == FieldType::kError) {
    out = PutLength(out, ErrorTextSize(f));
    if (const std::exception* e = f.exception()) {
      std::string_view w = ExceptionText(*e);
      return PutBytes(out, w.data(), w.size());
    }
    if (const Status* s = f.status()) {
      std::string_view code = StatusCodeName(s->code());
      out = PutBytes(out, code.data(), code.size());
      if (!s->ok()) {
        out = PutBytes(out, ": ", 2);
        out = PutBytes(out, s->message().data(), s->message().size());
      }
    }
    return out;
  }
  // kObject
  out = PutLength(out, f.object_size());
  char* len_at = out;
  out += 4;
  for (size_t i = 0; i < f.object_size(); ++i) out = EncodeField(f.object_begin()[i], out);
  PutLength(len_at, static_cast<size_t>(out - len_at - 4));
  return out;
}

}  // namespace callpath::log::detail

namespace callpath::log {

namespace {
uint32_t GetU32(const char* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace

FieldList FieldView::object() const noexcept {
  return type_ == FieldType::kObject
             ? FieldList(str_.data(), str_.size(), static_cast<uint32_t>(bits_))
             : FieldList();
}

FieldList::iterator FieldList::begin() const noexcept {
  iterator it;
  if (count_ == 0) return it;
  it.p_ = data_;
  it.end_ = data_ + bytes_;
  it.remaining_ = count_;
  it.Load();
  return it;
}

FieldList::iterator& FieldList::iterator::operator++() noexcept {
  if (remaining_ > 0 && --remaining_ > 0) {
    Load();
  } else {
    remaining_ = 0;
  }
  return *this;
}

// Decodes the field at p_ into current_ and moves p_ past it. The bytes were
// written by EncodeField in this process; the bounds checks only guard
// against a logic error turning into an out-of-bounds read.
void FieldList::iterator::Load() noexcept {
  if (end_ - p_ < 5) {
    remaining_ = 0;
    return;
  }
  FieldView v;
  v.type_ = static_cast<FieldType>(*p_);
  uint32_t klen = GetU32(p_ + 1);
  p_ += 5;
  v.key_ = {p_, klen};
  p_ += klen;
  switch (v.type_) {
    case FieldType::kString:
    case FieldType::kError: {
      uint32_t n = GetU32(p_);
      v.str_ = {p_ + 4, n};
      p_ += 4 + n;
      break;
    }
    case FieldType::kBool:
      v.bits_ = *p_ ? 1 : 0;
      p_ += 1;
      break;
    case FieldType::kObject: {
      v.bits_ = GetU32(p_);
      uint32_t n = GetU32(p_ + 4);
      v.str_ = {p_ + 8, n};
      p_ += 8 + n;
      break;
    }
    default:
      std::memcpy(&v.bits_, p_, 8);
      p_ += 8;
      break;
  }
  current_ = v;
}

}  // namespace callpath::log
