// Baggage: application key/value pairs that travel with the request
// (W3C Baggage). Immutable and shared, like TraceState.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace callpath {

class Baggage {
 public:
  struct Entry {
    std::string key;
    std::string value;       // decoded (percent-decoding already applied)
    std::string properties;  // raw text after the first ';', if any
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // W3C minimum propagation guarantee.
  static constexpr size_t kMaxMembers = 64;
  static constexpr size_t kMaxBytes = 8192;

  Baggage() = default;

  bool empty() const noexcept { return !entries_ || entries_->empty(); }
  size_t size() const noexcept { return entries_ ? entries_->size() : 0; }
  // Value for `key`, or nullptr if absent.
  const std::string* Get(std::string_view key) const noexcept;
  const std::vector<Entry>& entries() const noexcept;

  // Returns a copy with key set (replacing an existing entry of that key).
  Baggage Set(std::string_view key, std::string_view value,
              std::string_view properties = {}) const;
  Baggage Remove(std::string_view key) const;

  friend bool operator==(const Baggage& a, const Baggage& b) noexcept {
    return a.entries() == b.entries();
  }

 private:
  explicit Baggage(std::shared_ptr<const std::vector<Entry>> e) : entries_(std::move(e)) {}
  std::shared_ptr<const std::vector<Entry>> entries_;
};

}  // namespace callpath
