#include "daemon/tenants/tenant_limits.h"

#include <algorithm>
#include <cmath>

namespace callpath::daemon {

TokenBucket::TokenBucket(uint64_t rate_per_second, uint64_t burst, Clock::time_point start)
    : rate_(static_cast<double>(rate_per_second)),
      burst_(static_cast<double>(burst != 0 ? burst : rate_per_second)),
      tokens_(burst_),
      last_(start) {}

bool TokenBucket::Take(uint64_t items, int* retry_after_seconds, Clock::time_point now) {
  if (rate_ <= 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }
  const double want = static_cast<double>(items);
  // More than the burst: wait for a full bucket, then go into debt.
  const double needed = std::min(want, burst_);
  if (tokens_ >= needed) {
    tokens_ -= want;
    return true;
  }
  *retry_after_seconds = std::max(1, static_cast<int>(std::ceil((needed - tokens_) / rate_)));
  return false;
}

std::shared_ptr<void> QuerySlots::TryAcquire() {
  uint64_t n = in_use_.fetch_add(1) + 1;
  if (limit_ != 0 && n > limit_) {
    in_use_.fetch_sub(1);
    return nullptr;
  }
  std::atomic<uint64_t>* counter = &in_use_;
  // Any non-null pointer; the deleter gives the slot back.
  return std::shared_ptr<void>(counter, [](std::atomic<uint64_t>* c) { c->fetch_sub(1); });
}

}  // namespace callpath::daemon
