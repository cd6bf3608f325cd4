#include "logparse/well_known_fields.h"

#include <string_view>

#include "logparse/severity.h"
#include "logparse/timestamp.h"
#include "logparse/trace_ids.h"

namespace callpath::logparse {
namespace {

constexpr std::string_view kTimeKeys[] = {"time", "timestamp", "ts", "@timestamp", "datetime", "date"};
constexpr std::string_view kLevelKeys[] = {"level",    "severity", "lvl",          "log.level",
                                           "levelname", "loglevel", "severity_text"};
constexpr std::string_view kMessageKeys[] = {"msg", "message", "@message", "log", "MESSAGE"};
constexpr std::string_view kServiceKeys[] = {"service.name", "service_name", "serviceName",
                                             "service",      "app",          "application"};

template <size_t N>
int IndexOfFirst(const ParsedLog& r, const std::string_view (&keys)[N]) {
  for (std::string_view key : keys)
    for (size_t i = 0; i < r.attributes.size(); ++i)
      if (r.attributes[i].key == key) return static_cast<int>(i);
  return -1;
}

bool TimeOf(const AttributeValue& v, uint64_t* ns) {
  if (const auto* s = std::get_if<std::string>(&v)) return ParseTimestamp(*s, ns);
  uint64_t t = 0;
  if (const auto* i = std::get_if<int64_t>(&v)) t = EpochToNanos(*i);
  else if (const auto* d = std::get_if<double>(&v)) t = EpochToNanos(*d);
  if (t == 0) return false;
  *ns = t;
  return true;
}

void TakeLevel(ParsedLog& r) {
  int i = IndexOfFirst(r, kLevelKeys);
  if (i < 0) return;
  const AttributeValue& v = r.attributes[static_cast<size_t>(i)].value;
  if (const auto* n = std::get_if<int64_t>(&v)) {
    // Bunyan and pino write numbers ("level":30): name them, as a reader
    // of the record expects "INFO", not "30".
    r.severity_number = SeverityFromNumber(*n);
    r.severity_text = r.severity_number != 0 ? std::string(SeverityName(r.severity_number)) : AttributeText(v);
  } else {
    r.severity_text = AttributeText(v);
    r.severity_number = SeverityFromText(r.severity_text);
  }
  r.EraseAt(static_cast<size_t>(i));
}

}  // namespace

void ApplyWellKnownFields(ParsedLog& r) {
  if (r.time_ns == 0) {
    int i = IndexOfFirst(r, kTimeKeys);
    if (i >= 0 && TimeOf(r.attributes[static_cast<size_t>(i)].value, &r.time_ns))
      r.EraseAt(static_cast<size_t>(i));
  }
  if (r.severity_text.empty() && r.severity_number == 0) TakeLevel(r);
  if (r.body.empty()) {
    int i = IndexOfFirst(r, kMessageKeys);
    if (i >= 0) {
      r.body = AttributeText(r.attributes[static_cast<size_t>(i)].value);
      r.EraseAt(static_cast<size_t>(i));
    }
  }
  if (r.service.empty()) {
    int i = IndexOfFirst(r, kServiceKeys);
    if (i >= 0 && std::holds_alternative<std::string>(r.attributes[static_cast<size_t>(i)].value)) {
      r.service = std::get<std::string>(r.attributes[static_cast<size_t>(i)].value);
      r.EraseAt(static_cast<size_t>(i));
    }
  }
  PickTraceContext(r);
}

}  // namespace callpath::logparse
