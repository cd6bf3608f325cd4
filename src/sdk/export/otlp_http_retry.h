// The OTLP/HTTP retry rules (spec: OTLP 1.x, "OTLP/HTTP Throttling" and
// "Failures"): which answers may be retried, how long to wait before the next
// attempt, and how to read a server's Retry-After.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "callpath/exporters.h"

namespace callpath::internal {

// 429, 502, 503 and 504; every other status is final.
bool IsRetryableHttpStatus(long status) noexcept;

// The longest wait before retry number `retry` (1 = the first retry):
// initial_backoff * multiplier^(retry-1), capped at max_backoff.
std::chrono::milliseconds BackoffCeiling(const OtlpRetryOptions& policy, int retry) noexcept;

// "Full jitter": a wait drawn uniformly from [0, BackoffCeiling] using
// `random` (any 64-bit random value), so that many clients throttled at once
// do not come back at once.
std::chrono::milliseconds FullJitterBackoff(const OtlpRetryOptions& policy, int retry,
                                            uint64_t random) noexcept;

// A Retry-After value: delta-seconds ("120") or an HTTP-date
// ("Sun, 06 Nov 1994 08:49:37 GMT", also the obsolete RFC 850 and asctime
// forms). A date in the past gives 0. nullopt when the value is malformed.
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace callpath::internal
