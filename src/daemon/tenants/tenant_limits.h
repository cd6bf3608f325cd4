// The running state of one tenant's limits (TenantLimitsConfig): its ingest
// token bucket and its count of queries in progress. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

#include "daemon/config.h"

namespace callpath::daemon {

// Items per second with a burst allowance. A bucket of rate 0 admits
// everything.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full at `start`.
  TokenBucket(uint64_t rate_per_second, uint64_t burst, Clock::time_point start = Clock::now());

  // Takes `items` tokens; false when they are not there, with
  // *retry_after_seconds set to when they will be (at least 1). A request
  // larger than the burst is admitted once the bucket is full (it then
  // owes the difference), so a big batch is slowed, never refused forever.
  bool Take(uint64_t items, int* retry_after_seconds, Clock::time_point now = Clock::now());

 private:
  const double rate_;
  const double burst_;
  std::mutex mu_;
  double tokens_;
  Clock::time_point last_;
};

// Queries of one tenant in progress (queued or running), at most `limit`
// (0: no limit).
class QuerySlots {
 public:
  explicit QuerySlots(uint64_t limit) : limit_(limit) {}

  // A slot held until the returned pointer (and its copies) are gone;
  // null when every slot is taken.
  std::shared_ptr<void> TryAcquire();
  uint64_t in_use() const { return in_use_.load(); }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> in_use_{0};
};

// Everything limited for one tenant, with its counters for /metrics.
struct TenantGovernor {
  explicit TenantGovernor(const TenantLimitsConfig& c)
      : limits(c), ingest(c.ingest_rate, c.ingest_burst), queries(c.max_concurrent_queries) {}

  const TenantLimitsConfig limits;
  TokenBucket ingest;
  QuerySlots queries;
  std::atomic<uint64_t> items_throttled{0};      // refused over the ingest rate
  std::atomic<uint64_t> items_over_storage{0};   // refused over max_stored_bytes
  std::atomic<uint64_t> queries_refused{0};      // over max_concurrent_queries
  std::atomic<uint64_t> queries_timed_out{0};    // answered 504 after query_timeout
};

}  // namespace callpath::daemon
