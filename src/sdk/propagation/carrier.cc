#include "callpath/propagation.h"

namespace callpath {

std::string_view HeaderMapCarrier::Get(std::string_view key) const {
  for (const auto& [name, value] : *read_) {
    if (detail::AsciiIEquals(name, key)) return value;
  }
  return {};
}

size_t HeaderMapCarrier::Count(std::string_view key) const {
  size_t n = 0;
  for (const auto& field : *read_) n += detail::AsciiIEquals(field.first, key) ? 1 : 0;
  return n;
}

std::string HeaderMapCarrier::GetJoined(std::string_view key) const {
  std::string joined;
  bool first = true;
  for (const auto& [name, value] : *read_) {
    if (!detail::AsciiIEquals(name, key)) continue;
    if (!first) joined.push_back(',');
    joined.append(value);
    first = false;
  }
  return joined;
}

std::vector<std::string_view> HeaderMapCarrier::Keys() const {
  std::vector<std::string_view> keys;
  keys.reserve(read_->size());
  for (const auto& field : *read_) keys.emplace_back(field.first);
  return keys;
}

void HeaderMapCarrier::Set(std::string_view key, std::string_view value) {
  if (write_ == nullptr) return;
  auto& headers = *write_;
  size_t i = 0;
  while (i < headers.size() && !detail::AsciiIEquals(headers[i].first, key)) ++i;
  if (i == headers.size()) {
    headers.emplace_back(std::string(key), std::string(value));
    return;
  }
  headers[i].second.assign(value);
  for (size_t j = headers.size(); j-- > i + 1;) {
    if (detail::AsciiIEquals(headers[j].first, key)) headers.erase(headers.begin() + j);
  }
}

}  // namespace callpath
