// TextMapCarriers over gRPC metadata. gRPC metadata keys are lowercase;
// lookups lowercase the key first.
#pragma once

#include <grpcpp/support/string_ref.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/propagation.h"

namespace callpath::grpc::detail {

inline std::string LowerKey(std::string_view key) {
  std::string k(key);
  for (char& c : k) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return k;
}

// Received metadata (read-only).
class RecvMetadataCarrier final : public TextMapCarrier {
 public:
  using Map = std::multimap<::grpc::string_ref, ::grpc::string_ref>;
  explicit RecvMetadataCarrier(const Map* map) noexcept : map_(map) {}

  std::string_view Get(std::string_view key) const override {
    if (map_ == nullptr) return {};
    auto it = map_->find(::grpc::string_ref(LowerKey(key)));
    return it == map_->end() ? std::string_view()
                             : std::string_view(it->second.data(), it->second.size());
  }
  size_t Count(std::string_view key) const override {
    return map_ == nullptr ? 0 : map_->count(::grpc::string_ref(LowerKey(key)));
  }
  std::string GetJoined(std::string_view key) const override {
    std::string out;
    if (map_ == nullptr) return out;
    std::string k = LowerKey(key);
    auto [b, e] = map_->equal_range(::grpc::string_ref(k));
    for (auto it = b; it != e; ++it) {
      if (it != b) out.push_back(',');
      out.append(it->second.data(), it->second.size());
    }
    return out;
  }
  std::vector<std::string_view> Keys() const override {
    std::vector<std::string_view> keys;
    if (map_ == nullptr) return keys;
    for (const auto& [k, v] : *map_) keys.emplace_back(k.data(), k.size());
    return keys;
  }
  void Set(std::string_view, std::string_view) override {}

 private:
  const Map* map_;
};

// Metadata about to be sent.
class SendMetadataCarrier final : public TextMapCarrier {
 public:
  using Map = std::multimap<std::string, std::string>;
  explicit SendMetadataCarrier(Map* map) noexcept : map_(map) {}

  std::string_view Get(std::string_view key) const override {
    auto it = map_->find(LowerKey(key));
    return it == map_->end() ? std::string_view() : std::string_view(it->second);
  }
  size_t Count(std::string_view key) const override { return map_->count(LowerKey(key)); }
  void Set(std::string_view key, std::string_view value) override {
    std::string k = LowerKey(key);
    map_->erase(k);
    map_->emplace(std::move(k), std::string(value));
  }

 private:
  Map* map_;
};

}  // namespace callpath::grpc::detail
