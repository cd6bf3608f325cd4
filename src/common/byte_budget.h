// ByteBudget: one cap on the request bytes a server (callpathd, the
// gateway) holds in memory at once, shared by every connection of every
// listener. A body is admitted only if its bytes fit (checked before it is
// buffered); otherwise the client is told to retry later (429 or 503 +
// Retry-After / RESOURCE_EXHAUSTED). Without it each connection could
// buffer up to its body limit and memory grew with the number of clients.
//
// Thread-safe (one atomic). BudgetLease gives bytes back when it goes away.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace callpath {

class ByteBudget {
 public:
  explicit ByteBudget(uint64_t capacity) noexcept : capacity_(capacity) {}
  ByteBudget(const ByteBudget&) = delete;
  ByteBudget& operator=(const ByteBudget&) = delete;

  // Takes `n` bytes if they fit; false (and nothing taken) otherwise.
  bool TryAcquire(uint64_t n) noexcept {
    uint64_t used = used_.load(std::memory_order_relaxed);
    do {
      if (n > capacity_ || used > capacity_ - n) return false;
    } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
    return true;
  }
  void Release(uint64_t n) noexcept { used_.fetch_sub(n, std::memory_order_relaxed); }

  uint64_t capacity() const noexcept { return capacity_; }
  uint64_t used() const noexcept { return used_.load(std::memory_order_relaxed); }

 private:
  const uint64_t capacity_;
  std::atomic<uint64_t> used_{0};
};

// Bytes taken from a ByteBudget, given back on destruction or Reset. A
// lease without a budget (null) admits everything.
class BudgetLease {
 public:
  BudgetLease() = default;
  explicit BudgetLease(ByteBudget* budget) noexcept : budget_(budget) {}
  BudgetLease(BudgetLease&& o) noexcept
      : budget_(std::exchange(o.budget_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
  BudgetLease& operator=(BudgetLease&& o) noexcept {
    if (this != &o) {
      Reset();
      budget_ = std::exchange(o.budget_, nullptr);
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  ~BudgetLease() { Reset(); }

  // Holds at least `total` bytes, taking only what is missing; false when
  // the budget cannot give it (what is already held stays held).
  bool GrowTo(uint64_t total) noexcept {
    if (budget_ == nullptr || total <= bytes_) return true;
    if (!budget_->TryAcquire(total - bytes_)) return false;
    bytes_ = total;
    return true;
  }
  void Reset() noexcept {
    if (budget_ != nullptr && bytes_ > 0) budget_->Release(bytes_);
    bytes_ = 0;
  }
  uint64_t bytes() const noexcept { return bytes_; }

 private:
  ByteBudget* budget_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace callpath
