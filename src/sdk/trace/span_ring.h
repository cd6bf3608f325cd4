// SpanRing: one producing thread's queue of finished spans to one batch
// processor's export thread (single producer, single consumer).
//
// A span of the common shape is copied into the ring as a compact record
// (span_record.h), so the producer keeps its SpanData, and the buffers
// behind it, in its own cache for the next span; only the record's few
// cache lines travel to the export thread, in order, where the prefetcher
// helps. Other spans travel as an owned SpanData pointer. Zero allocation in
// steady state on both sides.
//
// The ring is bounded twice: by `max_spans` records and by its byte size.
// A full ring drops the span and counts it; it never blocks.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "callpath/span_data.h"

namespace callpath::detail {

class SpanRing {
 public:
  // `capacity_bytes` is rounded up to a power of two (at least 4 KiB).
  SpanRing(size_t max_spans, size_t capacity_bytes);
  // Releases records that were never drained.
  ~SpanRing();
  SpanRing(const SpanRing&) = delete;
  SpanRing& operator=(const SpanRing&) = delete;

  // --- producer: the owning thread only ------------------------------------

  // Appends the span; false (and counted as dropped) when the ring is full.
  // May take ownership of the object (leaving `span` null).
  bool Push(std::unique_ptr<SpanData>& span) noexcept;
  // Spans the producer believes are waiting (its view of the consumer may be
  // stale, so this over-estimates); RefreshBacklog re-reads the consumer.
  uint64_t Backlog() const noexcept { return pushed_ - seen_consumed_; }
  uint64_t RefreshBacklog() noexcept;
  // The producing thread is gone: no more Push. Once drained, the consumer
  // may forget the ring.
  void Orphan() noexcept { orphaned_.store(true, std::memory_order_release); }

  // --- consumer: the export thread only ------------------------------------

  // Moves up to `max` spans into out[0..max); returns how many. Decoding
  // reuses the capacity of what `out` holds.
  size_t Drain(SpanData* out, size_t max) noexcept;
  // Byte position up to which records are published; Drain until
  // drained_position() reaches a snapshot of it to flush.
  uint64_t published_position() const noexcept {
    return head_.load(std::memory_order_acquire);
  }
  uint64_t drained_position() const noexcept { return tail_local_; }
  // Orphaned and empty: nothing will ever arrive.
  bool Finished() const noexcept {
    return orphaned_.load(std::memory_order_acquire) &&
           head_.load(std::memory_order_acquire) == tail_local_;
  }

  // --- any thread (approximate while the ring is in use) --------------------

  uint64_t enqueued() const noexcept { return enqueued_.load(std::memory_order_relaxed); }
  uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  uint64_t waiting() const noexcept {
    return enqueued() - consumed_.load(std::memory_order_acquire);
  }
  bool orphaned() const noexcept { return orphaned_.load(std::memory_order_relaxed); }

 private:
  struct Header {
    uint32_t size;  // whole record incl. this header; multiple of 8
    uint32_t kind;
  };
  enum Kind : uint32_t { kPadding = 0, kEncoded = 1, kPointer = 2 };

  std::byte* At(uint64_t pos) const noexcept { return buffer_ + (pos & mask_); }
  void Release(uint64_t pos) noexcept;  // releases the record at pos

  // Read-only after construction.
  std::byte* buffer_;
  uint64_t capacity_;
  uint64_t mask_;
  uint64_t max_spans_;
  uint64_t max_encoded_;  // larger spans go by pointer so one span cannot hog the ring
  std::atomic<bool> orphaned_{false};

  // Producer's line: published position and counters plus its private view.
  alignas(64) std::atomic<uint64_t> head_{0};
  std::atomic<uint64_t> enqueued_{0};
  std::atomic<uint64_t> dropped_{0};
  uint64_t head_local_ = 0;
  uint64_t pushed_ = 0;
  uint64_t seen_tail_ = 0;
  uint64_t seen_consumed_ = 0;

  // Consumer's line.
  alignas(64) std::atomic<uint64_t> tail_{0};
  std::atomic<uint64_t> consumed_{0};
  uint64_t tail_local_ = 0;
  uint64_t consumed_local_ = 0;
};

}  // namespace callpath::detail
