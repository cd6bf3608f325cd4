// Field: one typed key/value pair of a log record, written at the call site
// as a braced pair:
//
//   log.info("order placed", {"order_id", id}, {"amount", 12.5}, {"paid", true},
//            {"elapsed", std::chrono::microseconds(840)}, {"error", ex},
//            {"user", Object{{"id", 42}, {"tier", "gold"}}});
//
// A Field only points at its key and string value: it is meant to live for
// the duration of one logging call (the logger copies everything it needs
// before the call returns). Never store a Field.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "callpath/status.h"

namespace callpath::log {

enum class FieldType : uint8_t {
  kString = 1,
  kInt = 2,       // signed 64-bit
  kUint = 3,      // unsigned 64-bit
  kDouble = 4,
  kBool = 5,
  kDuration = 6,  // signed nanoseconds
  kError = 7,     // an error text (from an exception or a Status)
  kObject = 8,    // nested fields
};

class Field;

// Nested fields: {"user", Object{{"id", 42}, {"name", "ann"}}}. Points into
// the initializer list, which lives until the end of the logging statement.
class Object {
 public:
  Object(std::initializer_list<Field> fields) noexcept : fields_(fields) {}  // NOLINT
  const Field* begin() const noexcept { return fields_.begin(); }
  size_t size() const noexcept { return fields_.size(); }

 private:
  std::initializer_list<Field> fields_;
};

class Field {
 public:
  // Strings (any bytes: invalid UTF-8 and control characters are escaped or
  // replaced by the sinks, never written raw). A null char* logs as "".
  Field(std::string_view key, std::string_view v) noexcept : key_(key), type_(FieldType::kString) {
    s_ = {v.data(), v.size()};
  }
  Field(std::string_view key, const char* v) noexcept
      : Field(key, v ? std::string_view(v) : std::string_view()) {}
  Field(std::string_view key, const std::string& v) noexcept : Field(key, std::string_view(v)) {}

  Field(std::string_view key, bool v) noexcept : key_(key), type_(FieldType::kBool) { b_ = v; }

  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                             std::is_signed_v<T>, int> = 0>
  Field(std::string_view key, T v) noexcept : key_(key), type_(FieldType::kInt) {
    i_ = static_cast<int64_t>(v);
  }
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                             std::is_unsigned_v<T>, int> = 0>
  Field(std::string_view key, T v) noexcept : key_(key), type_(FieldType::kUint) {
    u_ = static_cast<uint64_t>(v);
  }
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Field(std::string_view key, T v) noexcept : key_(key), type_(FieldType::kDouble) {
    d_ = static_cast<double>(v);
  }

  // Durations are kept as nanoseconds (saturating); JSON shows e.g. "1.5ms".
  template <typename Rep, typename Period>
  Field(std::string_view key, std::chrono::duration<Rep, Period> v) noexcept
      : key_(key), type_(FieldType::kDuration) {
    using Ns = std::chrono::duration<double, std::nano>;
    double ns = std::chrono::duration_cast<Ns>(v).count();
    i_ = ns >= 9.2e18 ? INT64_MAX : ns <= -9.2e18 ? INT64_MIN : static_cast<int64_t>(ns);
  }

  // Errors: the exception's what() or the Status's "CODE: message".
  Field(std::string_view key, const std::exception& e) noexcept
      : key_(key), type_(FieldType::kError) {
    ex_ = &e;
    err_kind_ = kException;
  }
  Field(std::string_view key, const Status& s) noexcept : key_(key), type_(FieldType::kError) {
    st_ = &s;
    err_kind_ = kStatus;
  }

  Field(std::string_view key, Object obj) noexcept : key_(key), type_(FieldType::kObject) {
    obj_ = {obj.begin(), obj.size()};
  }

  // Any other pointer would silently become a bool: refuse it.
  template <typename T>
  Field(std::string_view key, T* v) = delete;

  std::string_view key() const noexcept { return key_; }
  FieldType type() const noexcept { return type_; }
  std::string_view string_value() const noexcept { return {s_.p, s_.n}; }
  int64_t int_value() const noexcept { return i_; }
  uint64_t uint_value() const noexcept { return u_; }
  double double_value() const noexcept { return d_; }
  bool bool_value() const noexcept { return b_; }
  const Field* object_begin() const noexcept { return obj_.p; }
  size_t object_size() const noexcept { return obj_.n; }
  // kError: the exception, or nullptr when the field holds a Status.
  const std::exception* exception() const noexcept { return err_kind_ == kException ? ex_ : nullptr; }
  const Status* status() const noexcept { return err_kind_ == kStatus ? st_ : nullptr; }

 private:
  enum ErrKind : uint8_t { kNone, kException, kStatus };
  struct Str { const char* p; size_t n; };
  struct Obj { const Field* p; size_t n; };

  std::string_view key_;
  FieldType type_;
  ErrKind err_kind_ = kNone;
  union {
    Str s_;
    int64_t i_;
    uint64_t u_;
    double d_;
    bool b_;
    const std::exception* ex_;
    const Status* st_;
    Obj obj_;
  };
};

}  // namespace callpath::log
