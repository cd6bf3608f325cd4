// Helpers shared by the trace and logs decoders (internal to callpath::otlp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/decode/any_value.h"
#include "otlp/decode/resource_view.h"
#include "otlp/wire/fields.h"
#include "otlp/wire/proto_reader.h"

namespace callpath::otlp::internal {

// Builds "resource_spans[0].scope_spans[2].spans[7]: trace_id ..." from the
// inside out: the level that finds the problem sets the message, each
// enclosing level puts its own step in front on the way out.
class ErrorPath {
 public:
  explicit ErrorPath(std::string* error) : error_(error) {}

  bool Fail(std::string_view what) {
    if (error_ != nullptr) error_->assign(what);
    has_step_ = false;
    return false;
  }
  // Prefixes `name[index]` to the current message.
  bool Wrap(std::string_view name, size_t index) {
    if (error_ != nullptr) {
      std::string step(name);
      step += '[';
      step += std::to_string(index);
      step += has_step_ ? "]." : "]: ";
      error_->insert(0, step);
    }
    has_step_ = true;
    return false;
  }
  std::string* sink() const { return error_; }

 private:
  std::string* error_;
  bool has_step_ = false;
};

// Appends the key/value encoded in `raw` to *attrs.
inline bool AppendAttribute(std::string_view raw, std::vector<KeyValueView>* attrs,
                            ErrorPath* err) {
  attrs->emplace_back();
  if (ParseKeyValue(raw, &attrs->back(), err->sink())) return true;
  attrs->pop_back();
  std::string what = err->sink() != nullptr ? *err->sink() : std::string();
  return err->Fail(what);
}

// Makes room to append more entries to the range [begin, begin+count) of
// *v: when something else was appended after it (a singular message field
// that occurs twice, which protobuf merges), the range is first copied to
// the end so it stays contiguous.
template <typename T, typename Range>
void ReopenRange(std::vector<T>* v, Range* r) {
  if (r->count == 0) {
    r->begin = static_cast<uint32_t>(v->size());
    return;
  }
  if (r->begin + r->count == v->size()) return;
  const uint32_t begin = static_cast<uint32_t>(v->size());
  for (uint32_t i = 0; i < r->count; ++i) v->push_back((*v)[r->begin + i]);
  r->begin = begin;
}

// Decodes one occurrence of a Resource message, adding its attributes to
// the range `r` of *attrs.
template <typename Range>
bool DecodeResource(std::string_view raw, DecodedResource* res, std::vector<KeyValueView>* attrs,
                    Range* r, ErrorPath* err) {
  using F = fields::Resource;
  ReopenRange(attrs, r);
  ProtoReader rd(raw);
  ProtoField f;
  while (rd.Next(&f)) {
    if (f.number == F::kAttributes && f.type == WireType::kLengthDelimited) {
      if (!AppendAttribute(f.bytes, attrs, err)) return err->Wrap("resource.attributes", r->count);
      ++r->count;
    } else if (f.number == F::kDroppedAttributesCount && f.type == WireType::kVarint) {
      res->dropped_attributes_count = f.as_uint32();
    }
  }
  if (!rd.ok()) return err->Fail(std::string("resource: ") + rd.error());
  return true;
}

// Decodes one occurrence of an InstrumentationScope message.
template <typename Range>
bool DecodeScope(std::string_view raw, DecodedScope* scope, std::vector<KeyValueView>* attrs,
                 Range* r, ErrorPath* err) {
  using F = fields::InstrumentationScope;
  ReopenRange(attrs, r);
  ProtoReader rd(raw);
  ProtoField f;
  while (rd.Next(&f)) {
    switch (f.number) {
      case F::kName:
        if (f.type == WireType::kLengthDelimited) scope->name = f.bytes;
        break;
      case F::kVersion:
        if (f.type == WireType::kLengthDelimited) scope->version = f.bytes;
        break;
      case F::kAttributes:
        if (f.type != WireType::kLengthDelimited) break;
        if (!AppendAttribute(f.bytes, attrs, err)) return err->Wrap("scope.attributes", r->count);
        ++r->count;
        break;
      case F::kDroppedAttributesCount:
        if (f.type == WireType::kVarint) scope->dropped_attributes_count = f.as_uint32();
        break;
      default:
        break;
    }
  }
  if (!rd.ok()) return err->Fail(std::string("scope: ") + rd.error());
  return true;
}

template <typename Range>
std::span<const KeyValueView> Slice(const std::vector<KeyValueView>& v, Range r) {
  return std::span<const KeyValueView>(v.data() + r.begin, r.count);
}

}  // namespace callpath::otlp::internal
