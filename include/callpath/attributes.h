// Attribute values: what a span, an event, a link, a resource or a log
// record may carry (OpenTelemetry's attribute types).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace callpath {

using AttributeValue =
    std::variant<bool, int64_t, double, std::string, std::vector<bool>, std::vector<int64_t>,
                 std::vector<double>, std::vector<std::string>>;

struct Attribute {
  std::string key;
  AttributeValue value;
  friend bool operator==(const Attribute&, const Attribute&) = default;
};

// Builds an AttributeValue from the natural C++ spelling: string literals
// become strings (not bool), any integer becomes int64, any float a double.
class AttrValue {
 public:
  AttrValue(bool v) : v_(v) {}                                    // NOLINT
  AttrValue(const char* v) : v_(std::string(v)) {}                // NOLINT
  AttrValue(std::string_view v) : v_(std::string(v)) {}           // NOLINT
  AttrValue(const std::string& v) : v_(v) {}                      // NOLINT
  AttrValue(std::string&& v) : v_(std::move(v)) {}                // NOLINT
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  AttrValue(T v) : v_(static_cast<int64_t>(v)) {}                 // NOLINT
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  AttrValue(T v) : v_(static_cast<double>(v)) {}                  // NOLINT
  AttrValue(std::vector<bool> v) : v_(std::move(v)) {}            // NOLINT
  AttrValue(std::vector<int64_t> v) : v_(std::move(v)) {}         // NOLINT
  AttrValue(std::vector<double> v) : v_(std::move(v)) {}          // NOLINT
  AttrValue(std::vector<std::string> v) : v_(std::move(v)) {}     // NOLINT
  AttrValue(AttributeValue v) : v_(std::move(v)) {}               // NOLINT

  AttributeValue& get() & { return v_; }
  AttributeValue&& get() && { return std::move(v_); }

 private:
  AttributeValue v_;
};

// A key and a value written as {"key", value} in an initializer list.
struct KeyValue {
  std::string_view key;
  AttrValue value;
};

using KeyValues = std::initializer_list<KeyValue>;

// Renders a value as text: strings as-is, arrays as JSON-like "[1,2]".
std::string AttributeValueToString(const AttributeValue& v);

}  // namespace callpath
