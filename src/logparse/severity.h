// Log levels as the common loggers write them, mapped to OTLP severity
// numbers (TRACE=1 DEBUG=5 INFO=9 WARN=13 ERROR=17 FATAL=21). Pure.
#pragma once

#include <cstdint>
#include <string_view>

namespace callpath::logparse {

// Level names of zap, logrus, slog, Logback, log4j, java.util.logging,
// Python logging, syslog and nginx, any case: "info", "WARNING", "err",
// "SEVERE", "dpanic", "notice", ... Bunyan/pino numbers given as text
// ("30") map as SeverityFromNumber does; slog's in-between levels
// ("WARN+2", "INFO-4") add their offset, within 1..24. 0 when unknown.
int32_t SeverityFromText(std::string_view level) noexcept;

// Bunyan and pino numeric levels: 10 trace, 20 debug, 30 info, 40 warn,
// 50 error, 60 fatal (values between round down). 0 when out of range.
int32_t SeverityFromNumber(int64_t level) noexcept;

// "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" for the range
// `severity` falls in (1-4 TRACE, ..., 21-24 FATAL); "" for 0 or out of range.
std::string_view SeverityName(int32_t severity) noexcept;

// What an HTTP status says about an access-log line: 5xx ERROR, 4xx WARN,
// others INFO; 0 when `status` is not 100..599.
int32_t SeverityFromHttpStatus(int64_t status) noexcept;

}  // namespace callpath::logparse
