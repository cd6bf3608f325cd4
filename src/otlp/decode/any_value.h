// Zero-copy views of OTLP attribute values (common.v1 AnyValue / KeyValue).
//
// A view points into the encoded message it was parsed from; the buffer
// must outlive it. Arrays and key/value lists stay encoded until the caller
// asks for their elements (ParseArrayValue / ParseKeyValueList), so a
// decoder pays only for the values someone reads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace callpath::otlp {

enum class AnyValueKind : uint8_t {
  kEmpty,        // no oneof member set: an empty (null) value
  kString,       // bytes = the UTF-8 text (not validated)
  kBool,         // bool_value
  kInt,          // int_value
  kDouble,       // double_value
  kArray,        // bytes = an encoded ArrayValue
  kKvList,       // bytes = an encoded KeyValueList
  kBytes,        // bytes = the raw bytes
  kStringIndex,  // int_value = a string-table index (profiles only)
};

struct AnyValueView {
  AnyValueKind kind = AnyValueKind::kEmpty;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view bytes;
  std::string_view raw;  // the whole encoded AnyValue message
};

struct KeyValueView {
  std::string_view key;
  AnyValueView value;
};

// Arrays and key/value lists nested deeper than this are rejected (the
// bound keeps recursion, and a hostile body's cost, small).
inline constexpr int kMaxAnyValueDepth = 32;

// Parses one encoded AnyValue. Nested arrays and lists are checked to be
// well-formed (down to kMaxAnyValueDepth) but not materialised. When a
// oneof member repeats, the last one wins. On malformed input returns
// false and, if `error` is not null, sets *error.
bool ParseAnyValue(std::string_view raw, AnyValueView* out, std::string* error);

// Parses one encoded KeyValue (same checks as ParseAnyValue).
bool ParseKeyValue(std::string_view raw, KeyValueView* out, std::string* error);

// Appends the elements of an encoded ArrayValue (AnyValueView::bytes of a
// kArray value) to *out.
bool ParseArrayValue(std::string_view array, std::vector<AnyValueView>* out, std::string* error);

// Appends the entries of an encoded KeyValueList (AnyValueView::bytes of a
// kKvList value) to *out.
bool ParseKeyValueList(std::string_view list, std::vector<KeyValueView>* out, std::string* error);

// Internal: ParseAnyValue / ParseKeyValue at a nesting depth.
bool ParseAnyValueAt(std::string_view raw, int depth, AnyValueView* out, std::string* error);
bool ParseKeyValueAt(std::string_view raw, int depth, KeyValueView* out, std::string* error);

}  // namespace callpath::otlp
