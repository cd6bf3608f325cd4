#include "sdk/export/otlp_http_retry.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace callpath::internal {

bool IsRetryableHttpStatus(long status) noexcept {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds BackoffCeiling(const OtlpRetryOptions& policy, int retry) noexcept {
  const double initial = static_cast<double>(std::max<int64_t>(policy.initial_backoff.count(), 0));
  const double cap = static_cast<double>(std::max<int64_t>(policy.max_backoff.count(), 0));
  const double multiplier = policy.backoff_multiplier >= 1.0 ? policy.backoff_multiplier : 1.0;
  // pow overflows to +inf long before `retry` can overflow an int, and
  // min(inf, cap) is still cap.
  double ceiling = initial * std::pow(multiplier, std::max(retry, 1) - 1);
  ceiling = std::min(ceiling, cap);
  return std::chrono::milliseconds(static_cast<int64_t>(ceiling));
}

std::chrono::milliseconds FullJitterBackoff(const OtlpRetryOptions& policy, int retry,
                                            uint64_t random) noexcept {
  const uint64_t ceiling = static_cast<uint64_t>(BackoffCeiling(policy, retry).count());
  return std::chrono::milliseconds(static_cast<int64_t>(random % (ceiling + 1)));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;

  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    // delta-seconds; anything beyond a day is as good as "give up".
    constexpr int64_t kMaxSeconds = 86400;
    int64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > kMaxSeconds) {
        seconds = kMaxSeconds;
        break;
      }
    }
    return std::chrono::seconds(seconds);
  }

  // An HTTP-date always starts with a day name; curl_getdate would also take
  // free-form text such as "tomorrow", which is not a Retry-After.
  if (!((value[0] >= 'A' && value[0] <= 'Z') || (value[0] >= 'a' && value[0] <= 'z'))) {
    return std::nullopt;
  }
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == static_cast<time_t>(-1)) return std::nullopt;
  auto delay = std::chrono::system_clock::from_time_t(when) - now;
  if (delay < std::chrono::milliseconds(0)) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(delay);
}

}  // namespace callpath::internal
