// TextMapCarrier over Beast header fields, so the SDK's propagators read
// and write Beast messages directly. Include only from Beast translation
// units.
#pragma once

#include <boost/beast/http/fields.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "callpath/propagation.h"

namespace callpath::gateway {

template <class Fields>
class FieldsCarrier final : public TextMapCarrier {
 public:
  // Read-only: Set does nothing.
  explicit FieldsCarrier(const Fields& fields) noexcept : read_(&fields) {}
  explicit FieldsCarrier(Fields& fields) noexcept : read_(&fields), write_(&fields) {}

  std::string_view Get(std::string_view key) const override {
    auto it = read_->find(Bv(key));
    if (it == read_->end()) return {};
    return {it->value().data(), it->value().size()};
  }
  size_t Count(std::string_view key) const override { return read_->count(Bv(key)); }
  std::string GetJoined(std::string_view key) const override {
    std::string out;
    auto range = read_->equal_range(Bv(key));
    for (auto it = range.first; it != range.second; ++it) {
      if (it != range.first) out.push_back(',');
      out.append(it->value().data(), it->value().size());
    }
    return out;
  }
  std::vector<std::string_view> Keys() const override {
    std::vector<std::string_view> keys;
    for (const auto& f : *read_) keys.emplace_back(f.name_string().data(), f.name_string().size());
    return keys;
  }
  void Set(std::string_view key, std::string_view value) override {
    if (write_ != nullptr) write_->set(Bv(key), Bv(value));
  }

 private:
  static boost::beast::string_view Bv(std::string_view s) { return {s.data(), s.size()}; }
  const Fields* read_;
  Fields* write_ = nullptr;
};

}  // namespace callpath::gateway
