// Retry decisions: whether a failed upstream attempt is tried again, and
// how long to wait first. Pure functions of the route's RetryConfig, so the
// rules are unit-tested without a network.
//
// Rules:
//  - never more than RetryConfig::attempts attempts in total;
//  - kConnectFailure (the request never left the gateway) is retried when
//    `on` lists connect-failure, whatever the method;
//  - otherwise the request may have reached the upstream, so only
//    idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) are
//    retried, unless non_idempotent is set:
//      kResponse with a status listed in `on`,
//      kTimeout when `on` lists timeout,
//      kBrokenConnection (the upstream closed or reset without answering,
//      which the gateway reports as 502) when `on` lists 502.
#pragma once

#include <cstdint>
#include <string_view>

#include "gateway/config.h"

namespace callpath::gateway {

enum class AttemptOutcome {
  kResponse,          // a complete response arrived; see status
  kConnectFailure,    // no connection could be made
  kTimeout,           // the route's timeout expired first
  kBrokenConnection,  // connected, but the exchange failed without a response
};

struct AttemptResult {
  AttemptOutcome outcome = AttemptOutcome::kResponse;
  int status = 0;  // kResponse only
};

// RFC 9110 section 9.2.2.
bool IsIdempotentMethod(std::string_view method) noexcept;

// Whether attempt number `attempt` (1 = the first), which ended with
// `result`, should be followed by another attempt.
bool ShouldRetry(const RetryConfig& config, std::string_view method, const AttemptResult& result,
                 int attempt) noexcept;

// The retry budget: whether one more request may start retrying while
// `retrying` requests of the upstream are being retried and `in_flight`
// requests (those included) are under way.
bool RetryBudgetAllows(const RetryConfig& config, int64_t in_flight, int64_t retrying) noexcept;

// The wait before attempt number `next_attempt` (>= 2): backoff doubled for
// each earlier retry, at most 8 x backoff.
Millis BackoffBefore(const RetryConfig& config, int next_attempt) noexcept;

// The status the gateway answers with when the last attempt ended without a
// response: 504 for a timeout, 502 otherwise.
int GatewayStatusFor(AttemptOutcome outcome) noexcept;

// Low-cardinality error.type for an attempt that ended without a response.
std::string_view ErrorTypeFor(AttemptOutcome outcome) noexcept;

}  // namespace callpath::gateway
