// JsonWriter: appends compact JSON to a std::string, with the escaping and
// number rules of OTLP/JSON. The one JSON writer of the project: the SDK's
// OTLP/JSON encoder, the query API's renderers and the daemon use it.
//
//   std::string out;
//   JsonWriter j(&out);
//   j.BeginObject();
//   j.Key("name");  j.String(name);            // escaped, invalid UTF-8 -> U+FFFD
//   j.Key("startTimeUnixNano");  j.Uint64AsString(t);  // "1795...": 64-bit ints as strings
//   j.EndObject();
//
// Commas are inserted automatically. The writer trusts its caller to nest
// Begin/End and Key/value correctly (it does not validate structure).
// Strings: '"', '\\' and control characters are escaped (\n, \t, ..., \u00XX);
// each maximal ill-formed UTF-8 subsequence becomes one U+FFFD, so the output
// is always valid UTF-8 whatever bytes go in.
// One writer per thread; the string must outlive the writer (or the writer
// owns it: JsonWriter w; ... w.Take()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace callpath::text {

class JsonWriter {
 public:
  // Appends to *out after whatever it already holds.
  explicit JsonWriter(std::string* out) : out_(out), start_(out->size()) {}
  // Writes into a string of its own (str(), Take()).
  JsonWriter() : out_(&own_), start_(0) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject() { Value(); out_->push_back('{'); }
  void EndObject() { out_->push_back('}'); }
  void BeginArray() { Value(); out_->push_back('['); }
  void EndArray() { out_->push_back(']'); }
  // An object member's name; the value call that follows gets no comma.
  void Key(std::string_view key) {
    Value();
    AppendQuoted(key);
    out_->push_back(':');
  }

  void String(std::string_view s) { Value(); AppendQuoted(s); }
  void Bool(bool b) { Value(); out_->append(b ? "true" : "false"); }
  void Null() { Value(); out_->append("null"); }
  void Int64(int64_t v);
  void Uint64(uint64_t v);
  // Decimal digits in quotes: how proto3 JSON writes int64/uint64/fixed64.
  void Int64AsString(int64_t v);
  void Uint64AsString(uint64_t v);
  // Shortest round-trip form; NaN and infinities as the proto3 JSON strings
  // "NaN", "Infinity", "-Infinity".
  void Double(double v);
  // Standard base64 with padding, in quotes (proto3 JSON `bytes`).
  void Base64(std::string_view bytes);
  // Lowercase hex in quotes (OTLP/JSON trace and span ids).
  void Hex(std::string_view bytes);
  // Already-encoded JSON, inserted as one value.
  void RawValue(std::string_view json) { Value(); out_->append(json); }

  // A member in one call: Key, then the value.
  void Field(std::string_view k, std::string_view v) { Key(k); String(v); }
  void Field(std::string_view k, const char* v) { Key(k); String(v); }
  void FieldInt(std::string_view k, int64_t v) { Key(k); Int64(v); }
  void FieldUint(std::string_view k, uint64_t v) { Key(k); Uint64(v); }
  void FieldBool(std::string_view k, bool v) { Key(k); Bool(v); }

  // What was written (the whole string written to).
  const std::string& str() const { return *out_; }
  std::string Take() { return std::move(*out_); }

 private:
  // Puts a comma before a value or key unless it opens a container, follows
  // a key, or is the first thing written.
  void Value() {
    if (out_->size() == start_) return;
    char last = out_->back();
    if (last != '{' && last != '[' && last != ':') out_->push_back(',');
  }
  void AppendQuoted(std::string_view s);

  std::string own_;
  std::string* out_;
  size_t start_;
};

}  // namespace callpath::text
