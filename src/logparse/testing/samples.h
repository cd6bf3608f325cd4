// Test helpers: the committed log samples under testdata/logs/ and lookups
// into a ParsedLog's attributes.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "logparse/parsed_log.h"

namespace callpath::logparse::testing {

inline constexpr char kSampleTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
inline constexpr char kSampleSpanId[] = "00f067aa0ba902b7";

inline std::string ReadSample(const std::string& name) {
  std::ifstream in(std::string(CALLPATH_TESTDATA_DIR) + "/logs/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<std::string> SampleLines(const std::string& name) {
  std::vector<std::string> lines;
  std::istringstream in(ReadSample(name));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The attribute's text ("" when absent).
inline std::string Attr(const ParsedLog& r, const std::string& key) {
  const Attribute* a = r.Find(key);
  return a ? AttributeText(a->value) : std::string();
}

inline std::string TraceHex(const ParsedLog& r) { return r.trace_id.IsValid() ? r.trace_id.ToHex() : ""; }
inline std::string SpanHex(const ParsedLog& r) { return r.span_id.IsValid() ? r.span_id.ToHex() : ""; }

}  // namespace callpath::logparse::testing
