// Small JSON documents for the shop services' requests and answers.
// Writing: JsonObject builds one flat object. Reading: simdjson, through the
// helpers below, which never throw.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shop {

// Appends `s` as a quoted JSON string (control characters escaped).
void AppendJsonString(std::string& out, std::string_view s);

// Builds {"k":v,...} in call order.
class JsonObject {
 public:
  JsonObject& Str(std::string_view key, std::string_view value);
  JsonObject& Int(std::string_view key, int64_t value);
  JsonObject& Num(std::string_view key, double value);
  JsonObject& Bool(std::string_view key, bool value);
  // `json` must already be a valid JSON value.
  JsonObject& Raw(std::string_view key, std::string_view json);
  std::string Take();

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
};

// {"error": message}
std::string ErrorJson(std::string_view message);

// Field readers over a parsed object: nullopt when the field is missing or
// has another type.
std::optional<std::string_view> GetString(const simdjson::dom::element& obj, std::string_view key);
std::optional<int64_t> GetInt(const simdjson::dom::element& obj, std::string_view key);

}  // namespace shop
