#include "sdk/trace/span_ring.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

#include "sdk/trace/span_record.h"

namespace callpath::detail {

namespace {
constexpr std::align_val_t kLine{64};
constexpr uint64_t kHeaderSize = 8;
}  // namespace

SpanRing::SpanRing(size_t max_spans, size_t capacity_bytes) {
  capacity_ = 4096;
  while (capacity_ < capacity_bytes) capacity_ <<= 1;
  mask_ = capacity_ - 1;
  max_spans_ = std::max<size_t>(max_spans, 1);
  max_encoded_ = capacity_ / 8;
  buffer_ = static_cast<std::byte*>(::operator new(capacity_, kLine));
}

SpanRing::~SpanRing() {
  const uint64_t head = head_.load(std::memory_order_acquire);
  for (uint64_t pos = tail_local_; pos < head;) {
    Header h;
    std::memcpy(&h, At(pos), sizeof h);
    Release(pos);
    pos += h.size;
  }
  ::operator delete(buffer_, kLine);
}

void SpanRing::Release(uint64_t pos) noexcept {
  Header h;
  std::memcpy(&h, At(pos), sizeof h);
  if (h.kind == kEncoded) {
    DiscardEncodedSpan(At(pos) + kHeaderSize);
  } else if (h.kind == kPointer) {
    SpanData* d;
    std::memcpy(&d, At(pos) + kHeaderSize, sizeof d);
    delete d;
  }
}

uint64_t SpanRing::RefreshBacklog() noexcept {
  seen_consumed_ = consumed_.load(std::memory_order_acquire);
  seen_tail_ = tail_.load(std::memory_order_acquire);
  return Backlog();
}

bool SpanRing::Push(std::unique_ptr<SpanData>& span) noexcept {
  const size_t encoded = EncodedSpanSize(*span);
  const bool by_value = encoded != 0 && encoded <= max_encoded_;
  const uint64_t size = kHeaderSize + (by_value ? encoded : sizeof(SpanData*));
  uint64_t head = head_local_;
  const uint64_t to_end = capacity_ - (head & mask_);
  const uint64_t need = size <= to_end ? size : to_end + size;  // records never wrap
  if (pushed_ - seen_consumed_ >= max_spans_ || head + need - seen_tail_ > capacity_) {
    RefreshBacklog();
    if (pushed_ - seen_consumed_ >= max_spans_ || head + need - seen_tail_ > capacity_) {
      dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return false;
    }
  }
  if (size > to_end) {
    const Header pad{static_cast<uint32_t>(to_end), kPadding};
    std::memcpy(At(head), &pad, sizeof pad);
    head += to_end;
  }
  std::byte* p = At(head);
  const Header h{static_cast<uint32_t>(size), by_value ? kEncoded : kPointer};
  std::memcpy(p, &h, sizeof h);
  if (by_value) {
    EncodeSpan(*span, p + kHeaderSize);
  } else {
    SpanData* d = span.release();
    std::memcpy(p + kHeaderSize, &d, sizeof d);
  }
  head_local_ = head + size;
  ++pushed_;
  head_.store(head_local_, std::memory_order_release);
  enqueued_.store(pushed_, std::memory_order_relaxed);
  return true;
}

size_t SpanRing::Drain(SpanData* out, size_t max) noexcept {
  const uint64_t head = head_.load(std::memory_order_acquire);
  uint64_t tail = tail_local_;
  size_t n = 0;
  while (n < max && tail < head) {
    std::byte* p = At(tail);
    Header h;
    std::memcpy(&h, p, sizeof h);
    if (h.kind == kEncoded) {
      DecodeSpan(p + kHeaderSize, out[n++]);
    } else if (h.kind == kPointer) {
      SpanData* d;
      std::memcpy(&d, p + kHeaderSize, sizeof d);
      using std::swap;
      swap(out[n++], *d);
      delete d;
    }
    tail += h.size;
  }
  if (tail != tail_local_) {
    tail_local_ = tail;
    consumed_local_ += n;
    consumed_.store(consumed_local_, std::memory_order_release);
    tail_.store(tail, std::memory_order_release);
  }
  return n;
}

}  // namespace callpath::detail
