#include "logparse/parsed_log.h"

namespace callpath::logparse {

const Attribute* ParsedLog::Find(std::string_view key) const noexcept {
  for (const Attribute& a : attributes)
    if (a.key == key) return &a;
  return nullptr;
}

std::string AttributeText(const AttributeValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return AttributeValueToString(value);
}

}  // namespace callpath::logparse
