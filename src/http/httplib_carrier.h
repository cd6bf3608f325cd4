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
//
// A read-only carrier walks the tree once, in its constructor, into a flat
// array of views: a server span asks for seven or so fields, and following
// tree links seven times cost more than the compares.
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>
#include <vector>

#include "callpath/propagation.h"

namespace callpath::http::detail {

class HttplibHeadersCarrier final : public TextMapCarrier {
 public:
  explicit HttplibHeadersCarrier(const httplib::Headers& headers) noexcept : read_(&headers) {
    if (headers.size() > kMaxIndexed) return;
    for (const auto& [k, v] : headers) {
      fields_[indexed_++] = Field{k.data(), k.size(), v.data(), v.size()};
    }
    use_index_ = true;
  }
  // Writable (Set), so nothing is indexed: the map may change under us.
  explicit HttplibHeadersCarrier(httplib::Headers& headers) noexcept
      : read_(&headers), write_(&headers) {}

  std::string_view Get(std::string_view key) const override {
    std::string_view found;
    ForEachValue(key, [&](std::string_view v) {
      found = v;
      return false;  // the first one
    });
    return found;
  }
  size_t Count(std::string_view key) const override {
    size_t n = 0;
    ForEachValue(key, [&](std::string_view) {
      ++n;
      return true;
    });
    return n;
  }
  std::string GetJoined(std::string_view key) const override {
    std::string out;
    bool first = true;
    ForEachValue(key, [&](std::string_view v) {
      if (!first) out.push_back(',');
      out.append(v);
      first = false;
      return true;
    });
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
  // Trivially constructible, so the array below costs nothing to set up.
  struct Field {
    const char* key_data;
    size_t key_size;
    const char* value_data;
    size_t value_size;
    bool Matches(std::string_view key) const noexcept {
      return key_size == key.size() &&
             callpath::detail::AsciiIEquals(std::string_view(key_data, key_size), key);
    }
    std::string_view value() const noexcept { return {value_data, value_size}; }
  };
  static constexpr size_t kMaxIndexed = 32;

  // Calls fn(value) for each field named `key`, in order, until it returns
  // false: through the index when there is one, the map otherwise.
  template <typename Fn>
  void ForEachValue(std::string_view key, Fn fn) const {
    if (use_index_) {
      for (size_t i = 0; i < indexed_; ++i) {
        if (fields_[i].Matches(key) && !fn(fields_[i].value())) return;
      }
      return;
    }
    for (const auto& [k, v] : *read_) {
      if (callpath::detail::AsciiIEquals(k, key) && !fn(std::string_view(v))) return;
    }
  }

  const httplib::Headers* read_;
  httplib::Headers* write_ = nullptr;
  bool use_index_ = false;
  size_t indexed_ = 0;
  Field fields_[kMaxIndexed];
};

}  // namespace callpath::http::detail
