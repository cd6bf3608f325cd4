// JSON-lines logs: one object per line, as zap, logrus, slog, Logback's
// JSON encoders, Bunyan, pino and callpath's own logger write them. Nested
// objects are flattened into dotted keys ({"log":{"level":"info"}} gives
// "log.level"), so ECS documents and MDC maps need no special case; arrays
// become their JSON text; nulls are dropped. Then ApplyWellKnownFields.
#pragma once

#include <memory>
#include <string_view>

#include "logparse/parsed_log.h"

namespace callpath::logparse {

// Holds simdjson's parser and buffers between lines: one per thread.
class JsonLineParser {
 public:
  JsonLineParser();
  ~JsonLineParser();
  JsonLineParser(const JsonLineParser&) = delete;
  JsonLineParser& operator=(const JsonLineParser&) = delete;

  // Fills `out` (which should be empty) from `line`, a JSON object with
  // optional surrounding whitespace. Ill-formed UTF-8 is repaired first
  // (each bad sequence becomes U+FFFD) so that one bad byte does not lose the
  // fields. False, with `out` untouched, when the line is not one object.
  bool Parse(std::string_view line, ParsedLog* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callpath::logparse
