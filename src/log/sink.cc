#include "callpath/log/sink.h"

#include <algorithm>

namespace callpath::log {

void Buffer::Grow(size_t need) {
  size_t cap = std::max<size_t>(cap_ * 2, 4096);
  while (cap < need) cap *= 2;
  std::unique_ptr<char[]> bigger(new char[cap]);
  if (size_) std::memcpy(bigger.get(), data_.get(), size_);
  data_ = std::move(bigger);
  cap_ = cap;
}

Sink::~Sink() = default;

void Sink::Consume(const Record& record) {
  if (record.level < level()) return;
  if (batch_records_ == 0) batch_started_ = std::chrono::steady_clock::now();
  Encode(record, batch_);
  ++batch_records_;
  if (batch_.size() >= policy_.max_bytes || batch_records_ >= policy_.max_records) {
    WriteBatchNow();
  }
}

void Sink::Tick(std::chrono::steady_clock::time_point now) {
  if (batch_records_ == 0) return;
  if (now - batch_started_ >= policy_.max_delay) WriteBatchNow();
}

void Sink::Flush() {
  WriteBatchNow();
  FlushOutput();
}

void Sink::WriteBatchNow() {
  if (batch_.empty()) return;
  Write(batch_.view(), batch_records_);
  batch_.clear();
  batch_records_ = 0;
}

}  // namespace callpath::log
