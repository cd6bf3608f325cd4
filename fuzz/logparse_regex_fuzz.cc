// fuzz_logparse_regex: the first byte picks a preset (combined access log,
// Logback) or makes the rest a pattern; the remainder is the line. Bad
// patterns are errors, never crashes; matching is linear (RE2).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "logparse/regex_line.h"

using callpath::logparse::RegexLineParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<RegexLineParser> combined = std::move(RegexLineParser::Create("combined")).value();
  static std::unique_ptr<RegexLineParser> logback = std::move(RegexLineParser::Create("logback")).value();
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  callpath::logparse::ParsedLog r;
  switch (data[0] % 3) {
    case 0: (void)combined->Parse(rest, &r); break;
    case 1: (void)logback->Parse(rest, &r); break;
    default: {
      // "pattern\nline"
      size_t nl = rest.find('\n');
      if (nl == std::string_view::npos) return 0;
      auto p = RegexLineParser::Create(rest.substr(0, nl));
      if (p.ok()) (void)(*p)->Parse(rest.substr(nl + 1), &r);
    }
  }
  return 0;
}
