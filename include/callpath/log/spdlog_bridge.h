// Bridge for code that already logs with spdlog (header-only; link spdlog).
//
// 1. Trace ids in spdlog's own lines — one line at start-up:
//
//      spdlog::set_formatter(callpath::log::SpdlogTraceFormatter());
//
//    The default pattern is kSpdlogTracePattern; in your own pattern, %&
//    prints the current trace_id and %* the current span_id (empty when no
//    span is active).
//
// 2. Forwarding spdlog records into callpath's pipeline (and so to its
//    JSON file, console and OTLP sinks):
//
//      logger->sinks().push_back(std::make_shared<callpath::log::SpdlogForwardSink>());
//
//    Each record becomes a callpath record with the spdlog logger's name,
//    level (critical -> fatal), message and source location.
//
// Both read the trace context of the thread that runs the formatter or the
// sink: the logging thread for spdlog's synchronous loggers. With spdlog's
// async loggers they run on spdlog's worker thread, which has no span, so
// use a synchronous spdlog logger (callpath's own queue makes the forwarded
// path asynchronous anyway).
#pragma once

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <string>

#include "callpath/context.h"
#include "callpath/log/logger.h"

namespace callpath::log {

inline constexpr const char* kSpdlogTracePattern =
    "[%Y-%m-%d %H:%M:%S.%e] [%n] [%^%l%$] [trace_id=%& span_id=%*] %v";

namespace detail {

// %& and %*: the hex trace and span id of the current context.
template <bool kTrace>
class SpdlogIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const SpanContext& sc = Context::Current().span_context();
    if (!sc.IsValid()) return;
    char hex[32];
    size_t n;
    if constexpr (kTrace) {
      sc.trace_id().ToHex(hex);
      n = 32;
    } else {
      sc.span_id().ToHex(hex);
      n = 16;
    }
    dest.append(hex, hex + n);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SpdlogIdFlag>();
  }
};

inline Level FromSpdlogLevel(spdlog::level::level_enum l) noexcept {
  switch (l) {
    case spdlog::level::trace: return Level::kTrace;
    case spdlog::level::debug: return Level::kDebug;
    case spdlog::level::info: return Level::kInfo;
    case spdlog::level::warn: return Level::kWarn;
    case spdlog::level::err: return Level::kError;
    case spdlog::level::critical: return Level::kFatal;
    default: return Level::kOff;
  }
}

}  // namespace detail

// A pattern formatter that knows %& (trace_id) and %* (span_id).
inline std::unique_ptr<spdlog::formatter> SpdlogTraceFormatter(
    const std::string& pattern = kSpdlogTracePattern) {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<detail::SpdlogIdFlag<true>>('&');
  f->add_flag<detail::SpdlogIdFlag<false>>('*');
  f->set_pattern(pattern);
  return f;
}

// A spdlog sink that hands every record to callpath::log (the queue and
// sinks configured with callpath::log::Init). Thread-safe like any
// spdlog _mt sink.
class SpdlogForwardSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    Level level = detail::FromSpdlogLevel(msg.level);
    if (level == Level::kOff) return;
    std::string_view name(msg.logger_name.data(), msg.logger_name.size());
    if (name != cached_name_) {
      cached_name_ = std::string(name);
      logger_ = Logger(cached_name_);
      logger_.set_level(Level::kTrace);  // spdlog already filtered
    }
    std::string_view text(msg.payload.data(), msg.payload.size());
    logger_.Log(level, Msg(text, msg.source.filename, static_cast<uint32_t>(msg.source.line)),
                nullptr, 0);
  }
  void flush_() override {}

 private:
  std::string cached_name_ = "\\x01unset";
  Logger logger_;
};

}  // namespace callpath::log
