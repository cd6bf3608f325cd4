#include "otlp/decode/any_value.h"

#include "otlp/wire/fields.h"
#include "otlp/wire/proto_reader.h"

namespace callpath::otlp {

namespace {

bool SetError(std::string* error, std::string_view what) {
  if (error != nullptr) error->assign(what);
  return false;
}

bool Prefix(std::string* error, std::string_view where) {
  if (error != nullptr) error->insert(0, where);
  return false;
}

// Walks a repeated-message list (ArrayValue or KeyValueList: both use field
// 1) and hands each element to `fn`.
template <typename Fn>
bool ForEachElement(std::string_view list, std::string* error, Fn&& fn) {
  ProtoReader r(list);
  ProtoField f;
  while (r.Next(&f)) {
    if (f.number != 1 || f.type != WireType::kLengthDelimited) continue;
    if (!fn(f.bytes)) return false;
  }
  return r.ok() || SetError(error, r.error());
}

bool CheckNested(const AnyValueView& v, int depth, std::string* error) {
  if (v.kind != AnyValueKind::kArray && v.kind != AnyValueKind::kKvList) return true;
  if (depth >= kMaxAnyValueDepth) return SetError(error, "attribute value nested too deeply");
  if (v.kind == AnyValueKind::kArray) {
    return ForEachElement(v.bytes, error, [&](std::string_view e) {
      AnyValueView child;
      return ParseAnyValueAt(e, depth + 1, &child, error) || Prefix(error, "array element: ");
    });
  }
  return ForEachElement(v.bytes, error, [&](std::string_view e) {
    KeyValueView child;
    return ParseKeyValueAt(e, depth + 1, &child, error) || Prefix(error, "kvlist entry: ");
  });
}

}  // namespace

bool ParseAnyValueAt(std::string_view raw, int depth, AnyValueView* out, std::string* error) {
  using F = fields::AnyValue;
  *out = AnyValueView{};
  out->raw = raw;
  ProtoReader r(raw);
  ProtoField f;
  while (r.Next(&f)) {
    // A member with an unexpected wire type is an unknown field to protobuf.
    switch (f.number) {
      case F::kStringValue:
      case F::kBytesValue:
      case F::kArrayValue:
      case F::kKvlistValue:
        if (f.type != WireType::kLengthDelimited) continue;
        out->kind = f.number == F::kStringValue  ? AnyValueKind::kString
                    : f.number == F::kBytesValue ? AnyValueKind::kBytes
                    : f.number == F::kArrayValue ? AnyValueKind::kArray
                                                 : AnyValueKind::kKvList;
        out->bytes = f.bytes;
        break;
      case F::kBoolValue:
        if (f.type != WireType::kVarint) continue;
        out->kind = AnyValueKind::kBool;
        out->bool_value = f.as_bool();
        break;
      case F::kIntValue:
        if (f.type != WireType::kVarint) continue;
        out->kind = AnyValueKind::kInt;
        out->int_value = f.as_int64();
        break;
      case F::kStringValueStrindex:
        if (f.type != WireType::kVarint) continue;
        out->kind = AnyValueKind::kStringIndex;
        out->int_value = f.as_int32();
        break;
      case F::kDoubleValue:
        if (f.type != WireType::kFixed64) continue;
        out->kind = AnyValueKind::kDouble;
        out->double_value = f.as_double();
        break;
      default:
        break;
    }
  }
  if (!r.ok()) return SetError(error, r.error());
  return CheckNested(*out, depth, error);
}

bool ParseKeyValueAt(std::string_view raw, int depth, KeyValueView* out, std::string* error) {
  using F = fields::KeyValue;
  *out = KeyValueView{};
  std::string_view value;
  bool has_value = false;
  ProtoReader r(raw);
  ProtoField f;
  while (r.Next(&f)) {
    if (f.type != WireType::kLengthDelimited) continue;
    if (f.number == F::kKey) {
      out->key = f.bytes;
    } else if (f.number == F::kValue) {
      value = f.bytes;
      has_value = true;
    }
  }
  if (!r.ok()) return SetError(error, r.error());
  if (!has_value) return true;  // no value: an empty AnyValue
  return ParseAnyValueAt(value, depth, &out->value, error);
}

bool ParseAnyValue(std::string_view raw, AnyValueView* out, std::string* error) {
  return ParseAnyValueAt(raw, 0, out, error);
}

bool ParseKeyValue(std::string_view raw, KeyValueView* out, std::string* error) {
  return ParseKeyValueAt(raw, 0, out, error);
}

bool ParseArrayValue(std::string_view array, std::vector<AnyValueView>* out, std::string* error) {
  return ForEachElement(array, error, [&](std::string_view e) {
    out->emplace_back();
    return ParseAnyValueAt(e, 1, &out->back(), error);
  });
}

bool ParseKeyValueList(std::string_view list, std::vector<KeyValueView>* out, std::string* error) {
  return ForEachElement(list, error, [&](std::string_view e) {
    out->emplace_back();
    return ParseKeyValueAt(e, 1, &out->back(), error);
  });
}

}  // namespace callpath::otlp
