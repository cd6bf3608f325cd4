// TextMapCarrier over httplib::Headers (a multimap whose keys compare
// ignoring case).
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>
#include <vector>

#include "callpath/propagation.h"

namespace callpath::http::detail {

class HttplibHeadersCarrier final : public TextMapCarrier {
 public:
  explicit HttplibHeadersCarrier(const httplib::Headers& headers) noexcept : read_(&headers) {}
  explicit HttplibHeadersCarrier(httplib::Headers& headers) noexcept
      : read_(&headers), write_(&headers) {}

  std::string_view Get(std::string_view key) const override {
    auto it = read_->find(std::string(key));
    return it == read_->end() ? std::string_view() : std::string_view(it->second);
  }
  size_t Count(std::string_view key) const override { return read_->count(std::string(key)); }
  std::string GetJoined(std::string_view key) const override {
    std::string out;
    auto [b, e] = read_->equal_range(std::string(key));
    for (auto it = b; it != e; ++it) {
      if (it != b) out.push_back(',');
      out.append(it->second);
    }
    return out;
  }
  std::vector<std::string_view> Keys() const override {
    std::vector<std::string_view> keys;
    keys.reserve(read_->size());
    for (const auto& [k, v] : *read_) keys.emplace_back(k);
    return keys;
  }
  void Set(std::string_view key, std::string_view value) override {
    if (write_ == nullptr) return;
    std::string k(key);
    write_->erase(k);
    write_->emplace(std::move(k), std::string(value));
  }

 private:
  const httplib::Headers* read_;
  httplib::Headers* write_ = nullptr;
};

}  // namespace callpath::http::detail
