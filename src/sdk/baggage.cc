#include "callpath/baggage.h"

#include <algorithm>

namespace callpath {
namespace {

const std::vector<Baggage::Entry>& EmptyEntries() noexcept {
  static const std::vector<Baggage::Entry> kEmpty;
  return kEmpty;
}

}  // namespace

const std::string* Baggage::Get(std::string_view key) const noexcept {
  for (const Entry& e : entries()) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

const std::vector<Baggage::Entry>& Baggage::entries() const noexcept {
  return entries_ ? *entries_ : EmptyEntries();
}

Baggage Baggage::Set(std::string_view key, std::string_view value,
                     std::string_view properties) const {
  if (key.empty()) return *this;
  auto entries = std::make_shared<std::vector<Entry>>(this->entries());
  auto it = std::find_if(entries->begin(), entries->end(),
                         [&](const Entry& e) { return e.key == key; });
  if (it != entries->end()) {
    // An update keeps the entry's place, so the header order stays stable.
    it->value.assign(value);
    it->properties.assign(properties);
  } else {
    entries->push_back(Entry{std::string(key), std::string(value), std::string(properties)});
  }
  return Baggage(std::move(entries));
}

Baggage Baggage::Remove(std::string_view key) const {
  const auto& current = entries();
  auto it = std::find_if(current.begin(), current.end(),
                         [&](const Entry& e) { return e.key == key; });
  if (it == current.end()) return *this;
  if (current.size() == 1) return Baggage();
  auto entries = std::make_shared<std::vector<Entry>>();
  entries->reserve(current.size() - 1);
  for (const Entry& e : current) {
    if (e.key != key) entries->push_back(e);
  }
  return Baggage(std::move(entries));
}

}  // namespace callpath
