// Log templates: a log message with its variable parts masked, so that
// "charge of 12.50 failed for order 8841" and "charge of 3.10 failed for
// order 17" are one template, "charge of <*> failed for order <*>", and can
// be counted (stats.h) and compared between a trace and its baseline.
//
// Masking is Drain's preprocessing done as one deterministic pass, with no
// learned state, so that every Prepare thread, every restart and every
// backend give a message the same template id: tokens holding digits
// (numbers, ids, hex, UUIDs, durations such as 12ms, IPs, versions), quoted
// values, paths and URLs, key=value values and e-mail addresses become <*>.
// Runs of <*> collapse into one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace callpath::store {

struct LogTemplate {
  uint64_t id = 0;    // a 64-bit hash of `text`; never 0
  std::string text;   // the masked message, at most 512 bytes (longer is cut)
};

// The template of a log message (the body's text; for a structured body,
// its JSON text). Pure and thread-safe.
LogTemplate LogTemplateOf(std::string_view message);

}  // namespace callpath::store
