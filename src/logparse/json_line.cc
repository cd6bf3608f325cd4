#include "logparse/json_line.h"

#include <simdjson.h>

#include <string>

#include "logparse/well_known_fields.h"
#include "text/utf8.h"

namespace callpath::logparse {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void Flatten(const element& e, std::string& key, std::vector<Attribute>* out) {
  switch (e.type()) {
    case element_type::OBJECT: {
      const size_t base = key.size();
      simdjson::dom::object object;
      if (e.get_object().get(object) != simdjson::SUCCESS) return;
      for (auto field : object) {
        if (base != 0) key.push_back('.');
        key.append(field.key);
        Flatten(field.value, key, out);
        key.resize(base);
      }
      return;
    }
    case element_type::ARRAY: out->push_back({key, simdjson::minify(e)}); return;
    case element_type::STRING:
      out->push_back({key, std::string(e.get_string().value_unsafe())});
      return;
    case element_type::INT64: out->push_back({key, e.get_int64().value_unsafe()}); return;
    case element_type::UINT64: {
      // Above INT64_MAX: kept exact, as text (dd.trace_id can be that large).
      out->push_back({key, std::to_string(e.get_uint64().value_unsafe())});
      return;
    }
    case element_type::DOUBLE: out->push_back({key, e.get_double().value_unsafe()}); return;
    case element_type::BOOL: out->push_back({key, e.get_bool().value_unsafe()}); return;
    case element_type::NULL_VALUE: return;
  }
}

}  // namespace

struct JsonLineParser::Impl {
  simdjson::dom::parser parser;
  std::string repaired;
};

JsonLineParser::JsonLineParser() : impl_(std::make_unique<Impl>()) {}
JsonLineParser::~JsonLineParser() = default;

bool JsonLineParser::Parse(std::string_view line, ParsedLog* out) {
  size_t first = line.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || line[first] != '{') return false;
  if (!text::IsValidUtf8(line)) {
    impl_->repaired.clear();
    text::AppendSanitizedUtf8(line, &impl_->repaired);
    line = impl_->repaired;
  }
  element root;
  if (impl_->parser.parse(line.data(), line.size(), /*realloc_if_needed=*/true).get(root) !=
          simdjson::SUCCESS ||
      !root.is_object())
    return false;
  std::string key;
  Flatten(root, key, &out->attributes);
  ApplyWellKnownFields(*out);
  return true;
}

}  // namespace callpath::logparse
