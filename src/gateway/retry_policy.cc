#include "gateway/retry_policy.h"

#include <algorithm>

namespace callpath::gateway {

bool IsIdempotentMethod(std::string_view m) noexcept {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" || m == "PUT" ||
         m == "DELETE";
}

bool ShouldRetry(const RetryConfig& config, std::string_view method, const AttemptResult& result,
                 int attempt) noexcept {
  if (attempt >= config.attempts) return false;
  if (result.outcome == AttemptOutcome::kConnectFailure) return config.on_connect_failure;
  if (!config.non_idempotent && !IsIdempotentMethod(method)) return false;
  auto listed = [&](int status) {
    return std::find(config.on_status.begin(), config.on_status.end(), status) !=
           config.on_status.end();
  };
  switch (result.outcome) {
    case AttemptOutcome::kResponse:
      return listed(result.status);
    case AttemptOutcome::kTimeout:
      return config.on_timeout;
    case AttemptOutcome::kBrokenConnection:
      return listed(502);
    case AttemptOutcome::kConnectFailure:
      break;
  }
  return false;
}

bool RetryBudgetAllows(const RetryConfig& config, int64_t in_flight, int64_t retrying) noexcept {
  const auto by_share = static_cast<int64_t>(config.budget_percent * static_cast<double>(in_flight) / 100.0);
  return retrying < std::max<int64_t>(config.min_retry_concurrency, by_share);
}

Millis BackoffBefore(const RetryConfig& config, int next_attempt) noexcept {
  if (next_attempt < 2 || config.backoff.count() <= 0) return Millis(0);
  const int doublings = std::min(next_attempt - 2, 3);
  return config.backoff * (1 << doublings);
}

int GatewayStatusFor(AttemptOutcome outcome) noexcept {
  return outcome == AttemptOutcome::kTimeout ? 504 : 502;
}

std::string_view ErrorTypeFor(AttemptOutcome outcome) noexcept {
  switch (outcome) {
    case AttemptOutcome::kConnectFailure:
      return "connect_failure";
    case AttemptOutcome::kTimeout:
      return "timeout";
    case AttemptOutcome::kBrokenConnection:
      return "connection_reset";
    case AttemptOutcome::kResponse:
      break;
  }
  return "_OTHER";
}

}  // namespace callpath::gateway
