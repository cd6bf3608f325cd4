// Setting up the logger: sinks, level, queue policy, service name.
//
//   callpath::log::Options opts = callpath::log::Options::FromEnvironment();
//   opts.sinks.push_back(*callpath::log::FileSink::Open({.path = "/var/log/svc.jsonl"}));
//   callpath::log::Init(std::move(opts));
//
// Logging without Init works too: the first record initialises the logger
// from Options::FromEnvironment().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "callpath/log/level.h"
#include "callpath/log/sink.h"
#include "callpath/status.h"

namespace callpath::log {

enum class Overflow {
  kDrop,   // a full per-thread queue drops the record and counts it (default)
  kBlock,  // the caller waits for space; never loses a record, may stall
};

// Rewrites the text of records before any sink sees them, e.g. to redact
// secrets (callpath/redaction.h makes one). Runs on the logger's background
// thread only, never on the logging call.
class TextFilter {
 public:
  virtual ~TextFilter() = default;
  enum class Verdict { kKeep, kChanged, kDrop };
  // `key`: the field's key, "" for the message; `text`: a string or error
  // field's text, or the message. kChanged: *out holds the new text. kDrop:
  // the field is removed (a dropped message becomes "[REDACTED]").
  virtual Verdict Filter(std::string_view key, std::string_view text, std::string* out) const = 0;
};

struct Options {
  // "" -> OTEL_SERVICE_NAME / Resource::FromEnvironment().
  std::string service_name;
  // Global threshold for loggers that have no level of their own.
  Level level = Level::kInfo;
  Overflow overflow = Overflow::kDrop;
  // Per-thread queue size, rounded up to a power of two. Bigger absorbs
  // longer bursts; each logging thread owns one.
  size_t queue_bytes_per_thread = 1 << 20;
  // How long the background thread sleeps when it finds nothing to do; the
  // sleep doubles with each idle round up to max_idle_sleep, so a quiet
  // process costs few wake-ups. A thread whose queue passes half full wakes
  // the background thread at once (one syscall on that call), so a burst
  // does not wait out a sleep.
  std::chrono::microseconds idle_sleep{200};
  std::chrono::microseconds max_idle_sleep{1000};
  // Flush the queues on SIGSEGV, SIGABRT, SIGBUS, SIGFPE, then re-raise.
  bool crash_handlers = true;
  // Where records go, each sink with its own level. Empty: the console
  // (stderr), in the format CALLPATH_LOG_FORMAT names.
  std::vector<std::shared_ptr<Sink>> sinks;
  // Applied to every record's message and string/error fields (nested ones
  // too) before the sinks. Null: records go out as logged.
  std::shared_ptr<const TextFilter> text_filter;

  // Defaults overridden by the environment:
  //   CALLPATH_LOG_LEVEL=trace|debug|info|warn|error|fatal|off
  //   CALLPATH_LOG_FORMAT=json|console   console sink format (default console)
  //   CALLPATH_LOG_FILE=<path>           a JSON-lines FileSink instead of the console
  //   OTEL_EXPORTER_OTLP_LOGS_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT
  //                                      also an OTLP logs sink (unless OTEL_LOGS_EXPORTER=none)
  //   OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES -> service_name
  // Invalid values are ignored (reported on stderr once).
  static Options FromEnvironment();
};

// Starts the background thread with `options`, or, if running, flushes and
// replaces sinks and settings. Thread-safe. Fails only on invalid options.
Status Init(Options options);

// Sets the global level (loggers without their own level follow it).
void SetLevel(Level level) noexcept;

// Blocks until every record logged (by any thread) before the call is
// written to the sinks and the sinks are flushed. Safe to call anywhere
// except from a Sink hook.
void Flush() noexcept;

// Flushes and stops the background thread. Later records are dropped (and
// counted) until Init is called again. Runs automatically at exit().
void Shutdown() noexcept;

struct Stats {
  uint64_t enqueued = 0;  // records accepted into a queue
  uint64_t dropped = 0;   // records lost: full queue, oversized, or after Shutdown
  uint64_t written = 0;   // records handed to the sinks
};
Stats GetStats() noexcept;

}  // namespace callpath::log
