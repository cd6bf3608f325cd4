// ParsedLog: one log record as the log parsers (JSON lines, logfmt, regex,
// Loki and Elasticsearch pushes) hand it on, before it is encoded as an
// OTLP LogRecord. Owns all its text; strings may hold any bytes (the OTLP
// encoder repairs ill-formed UTF-8).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/attributes.h"
#include "callpath/ids.h"

namespace callpath::logparse {

struct ParsedLog {
  uint64_t time_ns = 0;          // when the event happened; 0 when the line did not say
  int32_t severity_number = 0;   // OTLP 1..24, 0 when unknown
  std::string severity_text;     // the level as written ("info", "WARN", "30")
  std::string body;              // the message (the whole line when no field held one)
  std::vector<Attribute> attributes;  // every other field, in input order
  TraceId trace_id;              // invalid when the record names no trace
  SpanId span_id;
  uint8_t trace_flags = 0;
  std::string service;           // from a service field, "" when none

  // The attribute named `key` (exact match), or nullptr.
  const Attribute* Find(std::string_view key) const noexcept;
  // Removes the attribute at `index`, keeping the others' order.
  void EraseAt(size_t index) { attributes.erase(attributes.begin() + static_cast<std::ptrdiff_t>(index)); }
};

// The string form of an attribute value: strings as they are, numbers and
// bools as text, arrays as "[a,b]" (AttributeValueToString).
std::string AttributeText(const AttributeValue& value);

}  // namespace callpath::logparse
