// Logger: a named handle that writes structured records.
//
//   callpath::log::Logger log("checkout");
//   log.info("service call started", {"method", "UserService.Get"}, {"duration_us", 1234});
//   auto req = log.With({{"request_id", id}});      // child with bound fields
//   req.warn("retrying", {"attempt", 2});
//
// Each call stamps the record with the time, level, caller file:line, and
// the trace_id/span_id of the calling thread's current Context (or of the
// context given to WithContext), copies the message and fields into a
// per-thread queue and returns; a background thread formats and writes.
// Nothing is evaluated or copied when the level is disabled.
//
// Threads: a Logger may be shared by any number of threads; calls never
// block (unless Options::overflow is kBlock and the queue is full) and never
// throw. When the queue is full the record is dropped and counted.
// fatal() additionally waits until every record logged so far is written
// and flushed; it does not terminate the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "callpath/context.h"
#include "callpath/log/field.h"
#include "callpath/log/level.h"

namespace callpath::log {

// The message of a logging call, carrying the caller's source location.
// Converts implicitly from any string; the location is captured where the
// conversion happens, that is, at the logging call. (__builtin_FILE and
// __builtin_LINE as default arguments report the call site in GCC and
// Clang alike; std::source_location is missing from the Clang that builds
// the fuzz targets.)
class Msg {
 public:
  Msg(const char* text,  // NOLINT: implicit by design
      const char* file = __builtin_FILE(), uint32_t line = __builtin_LINE()) noexcept
      : text_(text ? std::string_view(text) : std::string_view()), file_(file), line_(line) {}
  // Also the explicit-caller form, for bridges from other logging APIs.
  // REQUIRES: `file` is a string with static storage duration (e.g.
  // __FILE__), or null.
  Msg(std::string_view text,  // NOLINT
      const char* file = __builtin_FILE(), uint32_t line = __builtin_LINE()) noexcept
      : text_(text), file_(file), line_(line) {}
  Msg(const std::string& text,  // NOLINT
      const char* file = __builtin_FILE(), uint32_t line = __builtin_LINE()) noexcept
      : text_(text), file_(file), line_(line) {}

  std::string_view text() const noexcept { return text_; }
  const char* file() const noexcept { return file_; }
  uint32_t line() const noexcept { return line_; }

 private:
  std::string_view text_;
  const char* file_;
  uint32_t line_;
};

namespace detail {
struct LoggerState;
}

// Generates name(Msg) ... name(Msg, 8 fields) for one level.
#define CALLPATH_LOG_LEVEL_METHODS(name, level)                                              \
  void name(Msg m) const noexcept { Log(level, m, nullptr, 0); }                             \
  void name(Msg m, const Field& a) const noexcept {                                          \
    const Field* f[] = {&a};                                                                 \
    Log(level, m, f, 1);                                                                     \
  }                                                                                          \
  void name(Msg m, const Field& a, const Field& b) const noexcept {                          \
    const Field* f[] = {&a, &b};                                                             \
    Log(level, m, f, 2);                                                                     \
  }                                                                                          \
  void name(Msg m, const Field& a, const Field& b, const Field& c) const noexcept {          \
    const Field* f[] = {&a, &b, &c};                                                         \
    Log(level, m, f, 3);                                                                     \
  }                                                                                          \
  void name(Msg m, const Field& a, const Field& b, const Field& c, const Field& d)          \
      const noexcept {                                                                       \
    const Field* f[] = {&a, &b, &c, &d};                                                     \
    Log(level, m, f, 4);                                                                     \
  }                                                                                          \
  void name(Msg m, const Field& a, const Field& b, const Field& c, const Field& d,          \
            const Field& e) const noexcept {                                                 \
    const Field* f[] = {&a, &b, &c, &d, &e};                                                 \
    Log(level, m, f, 5);                                                                     \
  }                                                                                          \
  void name(Msg m, const Field& a, const Field& b, const Field& c, const Field& d,          \
            const Field& e, const Field& g) const noexcept {                                 \
    const Field* f[] = {&a, &b, &c, &d, &e, &g};                                             \
    Log(level, m, f, 6);                                                                     \
  }                                                                                          \
  void name(Msg m, const Field& a, const Field& b, const Field& c, const Field& d,          \
            const Field& e, const Field& g, const Field& h) const noexcept {                 \
    const Field* f[] = {&a, &b, &c, &d, &e, &g, &h};                                         \
    Log(level, m, f, 7);                                                                     \
  }                                                                                          \
  void name(Msg m, const Field& a, const Field& b, const Field& c, const Field& d,          \
            const Field& e, const Field& g, const Field& h, const Field& i) const noexcept { \
    const Field* f[] = {&a, &b, &c, &d, &e, &g, &h, &i};                                     \
    Log(level, m, f, 8);                                                                     \
  }                                                                                          \
  /* Any number of fields, e.g. built at run time. */                                        \
  void name(Msg m, std::initializer_list<Field> fields) const noexcept {                     \
    LogList(level, m, fields.begin(), fields.size());                                        \
  }

class Logger {
 public:
  // A logger with this name ("" for none). Its level follows the global
  // level (Options::level / SetLevel) until set_level is called.
  explicit Logger(std::string_view name = {});

  // A child that adds `fields` to every record, after the parent's bound
  // fields (zap's With). Values are copied now.
  Logger With(std::initializer_list<Field> fields) const;
  // A child whose records carry `context`'s trace and span ids instead of
  // the current thread's.
  Logger WithContext(const Context& context) const;
  // A child named "<name>.<suffix>" (or "<suffix>" when this one is unnamed).
  Logger Named(std::string_view suffix) const;

  std::string_view name() const noexcept;
  // Records below `level` are discarded at the call site. Affects this
  // logger and the children created after the call.
  void set_level(Level level) noexcept;
  Level level() const noexcept;
  bool enabled(Level level) const noexcept {
    uint8_t own = own_level_->load(std::memory_order_relaxed);
    uint8_t min = own == kFollowGlobal ? GlobalLevel() : own;
    return static_cast<uint8_t>(level) >= min && level != Level::kOff;
  }

  CALLPATH_LOG_LEVEL_METHODS(trace, Level::kTrace)
  CALLPATH_LOG_LEVEL_METHODS(debug, Level::kDebug)
  CALLPATH_LOG_LEVEL_METHODS(info, Level::kInfo)
  CALLPATH_LOG_LEVEL_METHODS(warn, Level::kWarn)
  CALLPATH_LOG_LEVEL_METHODS(error, Level::kError)
  CALLPATH_LOG_LEVEL_METHODS(fatal, Level::kFatal)

  // The level-as-argument form of the calls above.
  void Log(Level level, Msg m, const Field* const* fields, size_t n) const noexcept {
    if (enabled(level)) Emit(level, m, fields, n, nullptr);
  }
  void LogList(Level level, Msg m, const Field* fields, size_t n) const noexcept {
    if (enabled(level)) Emit(level, m, nullptr, n, fields);
  }

 private:
  static constexpr uint8_t kFollowGlobal = 0xff;
  static uint8_t GlobalLevel() noexcept;
  explicit Logger(std::shared_ptr<const detail::LoggerState> state);
  void Emit(Level level, const Msg& m, const Field* const* fields, size_t n,
            const Field* list) const noexcept;

  std::shared_ptr<const detail::LoggerState> state_;
  std::atomic<uint8_t>* own_level_;  // lives in *state_
};

#undef CALLPATH_LOG_LEVEL_METHODS

// The process-wide unnamed logger.
const Logger& Default();

}  // namespace callpath::log
