// Lines parsed by a regular expression with named groups (RE2 syntax,
// linear time whatever the input: a 1 MB line costs no backtracking).
// Groups named like the well-known fields (time, level, msg, ...) fill
// those; a "status" group with no level gives the level of an HTTP status
// (5xx ERROR, 4xx WARN); the body is the msg/message group, else the whole
// line; other groups become string attributes. Both (?P<name>…) and
// (?<name>…) are accepted. '.' matches newlines, so joined stack traces
// stay in the message.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "callpath/status.h"
#include "logparse/parsed_log.h"

namespace re2 {
class RE2;
}

namespace callpath::logparse {

class RegexLineParser {
 public:
  // `pattern` is a regex or a preset name:
  //   "combined" (also "nginx", "apache"): the NCSA combined access log;
  //   "logback": Logback's default text pattern
  //     "%d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n".
  // InvalidArgument when the pattern does not compile or has no named group.
  static Result<std::unique_ptr<RegexLineParser>> Create(std::string_view pattern);
  ~RegexLineParser();

  // Fills `out` (which should be empty) when the whole pattern matches
  // somewhere in `line`; false, with `out` untouched, otherwise.
  // Thread-safe (RE2 is).
  bool Parse(std::string_view line, ParsedLog* out) const;

 private:
  explicit RegexLineParser(std::unique_ptr<re2::RE2> re);
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace callpath::logparse
