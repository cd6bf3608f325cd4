// Timestamps as log lines write them, to nanoseconds since the Unix epoch.
// Pure and thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace callpath::logparse {

// Parses, all as UTC unless an offset is written:
//   RFC 3339 / ISO 8601: "2024-01-15T10:23:45.123456789Z",
//     "2024-01-15T10:23:45+02:00", "2024-01-15 10:23:45,123" (Logback,
//     Python), offsets "+0200" too;
//   Common Log Format: "15/Jan/2024:10:23:45 +0000" (nginx, Apache);
//   epoch numbers as text: see EpochToNanos.
// False (and *ns untouched) on anything else.
bool ParseTimestamp(std::string_view text, uint64_t* ns) noexcept;

// An epoch number of unknown unit, told apart by size: below 1e11 seconds
// (zap's 1700000000.123), below 1e14 milliseconds (pino, Logback JSON), below
// 1e17 microseconds, else nanoseconds. 0 for negative or non-finite values.
uint64_t EpochToNanos(double value) noexcept;
uint64_t EpochToNanos(int64_t value) noexcept;

}  // namespace callpath::logparse
