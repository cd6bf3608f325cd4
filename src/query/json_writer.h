// A small, fast, streaming JSON writer: appends to a std::string, escapes
// strings correctly (control characters, quotes, backslash; each ill-formed
// UTF-8 subsequence becomes U+FFFD), and places commas itself.
//
// Usage: JsonWriter w; w.BeginObject(); w.Key("a"); w.Int(1); w.EndObject();
// Misuse (a value where a key is due) produces invalid JSON, not a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace callpath::query {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}
  JsonWriter() : out_(&own_) {}

  void BeginObject() { Sep(); out_->push_back('{'); Push(); }
  void EndObject() { out_->push_back('}'); Pop(); }
  void BeginArray() { Sep(); out_->push_back('['); Push(); }
  void EndArray() { out_->push_back(']'); Pop(); }
  void Key(std::string_view k);
  void String(std::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Double(double v);  // NaN and infinities are written as strings
  void Bool(bool b);
  void Null();
  // Inserts already-valid JSON text as one value.
  void Raw(std::string_view json);

  // Convenience: Key then value.
  void Field(std::string_view k, std::string_view v) { Key(k); String(v); }
  void Field(std::string_view k, const char* v) { Key(k); String(v); }
  void FieldInt(std::string_view k, int64_t v) { Key(k); Int(v); }
  void FieldUint(std::string_view k, uint64_t v) { Key(k); Uint(v); }
  void FieldBool(std::string_view k, bool v) { Key(k); Bool(v); }

  const std::string& str() const { return *out_; }
  std::string Take() { return std::move(*out_); }

 private:
  void Sep();
  void Push() { first_.push_back(true); }
  void Pop() { if (!first_.empty()) first_.pop_back(); }
  std::string* out_;
  std::string own_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace callpath::query
