// Record: one log record as sinks see it, decoded by the logger's background
// thread. A Record and everything it points to are valid only during the
// Sink::Encode call that receives it; copy what you keep.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "callpath/ids.h"
#include "callpath/log/field.h"
#include "callpath/log/level.h"

namespace callpath::log {

class FieldList;

// One decoded field. Which accessor applies depends on type():
// kString/kError -> str(); kInt -> int_value(); kDuration -> int_value() in
// nanoseconds; kUint -> uint_value(); kDouble -> double_value(); kBool ->
// bool_value(); kObject -> object().
class FieldView {
 public:
  FieldType type() const noexcept { return type_; }
  std::string_view key() const noexcept { return key_; }
  std::string_view str() const noexcept { return str_; }
  int64_t int_value() const noexcept { return static_cast<int64_t>(bits_); }
  uint64_t uint_value() const noexcept { return bits_; }
  double double_value() const noexcept {
    double d;
    std::memcpy(&d, &bits_, sizeof d);
    return d;
  }
  bool bool_value() const noexcept { return bits_ != 0; }
  FieldList object() const noexcept;

 private:
  friend class FieldList;
  FieldType type_ = FieldType::kString;
  std::string_view key_;
  std::string_view str_;  // kString/kError text; kObject: the encoded children
  uint64_t bits_ = 0;     // numbers and bools; kObject: child count
};

// A sequence of encoded fields, read front to back.
class FieldList {
 public:
  FieldList() noexcept = default;
  FieldList(const char* data, size_t bytes, uint32_t count) noexcept
      : data_(data), bytes_(bytes), count_(count) {}

  class iterator {
   public:
    const FieldView& operator*() const noexcept { return current_; }
    const FieldView* operator->() const noexcept { return &current_; }
    iterator& operator++() noexcept;
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.remaining_ == b.remaining_;
    }

   private:
    friend class FieldList;
    void Load() noexcept;
    const char* p_ = nullptr;
    const char* end_ = nullptr;
    uint32_t remaining_ = 0;
    FieldView current_;
  };

  iterator begin() const noexcept;
  iterator end() const noexcept { return iterator(); }
  uint32_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }

 private:
  const char* data_ = nullptr;
  size_t bytes_ = 0;
  uint32_t count_ = 0;
};

struct Record {
  uint64_t time_unix_nano = 0;
  Level level = Level::kInfo;
  std::string_view logger;        // logger name, may be empty
  std::string_view message;
  std::string_view service_name;  // from Options or the environment
  std::string_view file;          // caller's source file (full path as compiled)
  uint32_t line = 0;
  TraceId trace_id;               // invalid (all zero) when no span was active
  SpanId span_id;
  uint8_t trace_flags = 0;
  FieldList fields;               // bound fields (Logger::With) first, then the call's
};

}  // namespace callpath::log
