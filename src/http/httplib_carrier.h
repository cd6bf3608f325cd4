// TextMapCarrier over httplib::Headers (a multimap whose keys compare
// ignoring case).
//
// Lookups scan the fields in order rather than use the map's find: a
// request has a handful of fields, and the map's comparator calls tolower()
// for every character of every key it compares (and find() wants a
// std::string key), which made header lookups a visible share of a traced
// request. The scan compares lengths first, so most fields cost one
// integer compare. Equal keys are adjacent in insertion order in the
// multimap, so "the first match" is the same field find() would return.
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
    for (const auto& [k, v] : *read_) {
      if (callpath::detail::AsciiIEquals(k, key)) return v;
    }
    return {};
  }
  size_t Count(std::string_view key) const override {
    size_t n = 0;
    for (const auto& field : *read_) n += callpath::detail::AsciiIEquals(field.first, key) ? 1 : 0;
    return n;
  }
  std::string GetJoined(std::string_view key) const override {
    std::string out;
    bool first = true;
    for (const auto& [k, v] : *read_) {
      if (!callpath::detail::AsciiIEquals(k, key)) continue;
      if (!first) out.push_back(',');
      out.append(v);
      first = false;
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
