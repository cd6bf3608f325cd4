// A single-producer single-consumer byte ring holding variable-size records,
// each 8-byte aligned and contiguous in memory. The producer is the thread
// that owns the ring; the consumer is the logger's background thread.
//
// Every record starts with a u32 size (total, aligned) and a u8 kind. A
// record that would not fit before the end of the buffer is preceded by a
// padding record that fills the tail, so readers never see a split record.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace callpath::log::detail {

class Ring {
 public:
  static constexpr uint8_t kPadding = 0xff;

  // capacity: a power of two, at least 4096.
  explicit Ring(size_t capacity)
      : capacity_(capacity), mask_(capacity - 1),
        buf_(static_cast<char*>(std::aligned_alloc(64, capacity))) {
    // Touch every page now: a first-touch page fault costs microseconds,
    // and it would land on some unlucky logging call.
    std::memset(buf_, 0, capacity);
  }
  ~Ring() { std::free(buf_); }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  size_t capacity() const noexcept { return capacity_; }
  // Largest record Reserve can ever satisfy.
  size_t max_record() const noexcept { return capacity_ / 2; }

  // Producer: space for `n` bytes (a multiple of 8), or nullptr if the ring
  // is full right now. The bytes become visible to the consumer at Commit.
  char* Reserve(size_t n) noexcept {
    uint64_t head = head_.load(std::memory_order_relaxed);
    size_t pos = head & mask_;
    size_t pad = pos + n > capacity_ ? capacity_ - pos : 0;
    size_t need = pad + n;
    if (head + need - cached_tail_ > capacity_) {
      cached_tail_ = tail_.load(std::memory_order_acquire);
      if (head + need - cached_tail_ > capacity_) return nullptr;
    }
    if (pad) {
      uint32_t size = static_cast<uint32_t>(pad);
      std::memcpy(buf_ + pos, &size, 4);
      buf_[pos + 4] = static_cast<char>(kPadding);
      pending_pad_ = pad;
      return buf_;
    }
    pending_pad_ = 0;
    return buf_ + pos;
  }
  void Commit(size_t n) noexcept {
    head_.store(head_.load(std::memory_order_relaxed) + pending_pad_ + n,
                std::memory_order_release);
  }
  // Producer: true when more than half of the ring holds records the
  // consumer has not taken. Measured from the cached tail the backlog can
  // only be overestimated, so when that says "past half" the real tail is
  // read before answering: with a stale cache every call would report
  // past-half once the producer had written half a ring in total, and the
  // caller would wake the consumer (a syscall) on the normal path.
  bool PastHalf() noexcept {
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (head - cached_tail_ <= capacity_ / 2) return false;
    cached_tail_ = tail_.load(std::memory_order_acquire);
    return head - cached_tail_ > capacity_ / 2;
  }

  // Producer-side counter of records it could not queue.
  void CountDrop() noexcept {
    dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  void CountEnqueued() noexcept {
    enqueued_.store(enqueued_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  uint64_t enqueued() const noexcept { return enqueued_.load(std::memory_order_relaxed); }

  // Consumer: the bytes committed so far, from the read position. Call
  // Available() once, then Next() until it returns nullptr, then Release().
  void Available() noexcept { read_limit_ = head_.load(std::memory_order_acquire); }
  // The next record (skipping padding), or nullptr.
  const char* Next() noexcept {
    while (read_pos_ < read_limit_) {
      const char* p = buf_ + (read_pos_ & mask_);
      uint32_t size;
      std::memcpy(&size, p, 4);
      if (static_cast<uint8_t>(p[4]) == kPadding) {
        read_pos_ += size;
        continue;
      }
      read_pos_ += size;
      return p;
    }
    return nullptr;
  }
  // Frees everything returned by Next() for reuse by the producer.
  void Release() noexcept { tail_.store(read_pos_, std::memory_order_release); }
  bool Empty() const noexcept {
    return tail_.load(std::memory_order_acquire) == head_.load(std::memory_order_acquire);
  }

  // Set by the owning thread when it exits; the consumer frees the ring
  // once it is drained.
  std::atomic<bool> closed{false};

 private:
  const size_t capacity_;
  const size_t mask_;
  char* const buf_;

  alignas(64) std::atomic<uint64_t> head_{0};
  uint64_t cached_tail_ = 0;
  size_t pending_pad_ = 0;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> enqueued_{0};

  alignas(64) std::atomic<uint64_t> tail_{0};
  uint64_t read_pos_ = 0;
  uint64_t read_limit_ = 0;
};

}  // namespace callpath::log::detail
