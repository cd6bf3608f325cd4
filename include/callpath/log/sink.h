// Sink: where formatted records go. The base class owns filtering by level
// and batching; a sink implements Encode (append one record to the batch),
// Write (deliver one batch of whole records) and optionally FlushOutput.
//
// Threads: the logger's background thread is the only caller of Consume,
// Tick and Flush, and therefore of the protected hooks; a sink needs no lock
// for its own state. set_level may be called from any thread.
// Errors: a sink never throws out of its hooks; it counts failures
// (write_errors()) and carries on.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "callpath/log/level.h"
#include "callpath/log/record.h"

namespace callpath::log {

// A growable byte buffer without zero-filling, for encoders.
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // Space for n more bytes; write into it, then Commit what was written.
  char* Reserve(size_t n) {
    if (size_ + n > cap_) Grow(size_ + n);
    return data_.get() + size_;
  }
  void Commit(size_t n) noexcept { size_ += n; }
  void Append(std::string_view s) {
    if (s.empty()) return;
    std::memcpy(Reserve(s.size()), s.data(), s.size());
    size_ += s.size();
  }
  void Append(char c) {
    *Reserve(1) = c;
    ++size_;
  }
  void Truncate(size_t n) noexcept { if (n < size_) size_ = n; }
  void clear() noexcept { size_ = 0; }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const char* data() const noexcept { return data_.get(); }
  std::string_view view() const noexcept { return {data_.get(), size_}; }

 private:
  void Grow(size_t need);
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

// When a sink's batch is written: as soon as it holds max_bytes or
// max_records, and otherwise once its oldest record is max_delay old
// (checked after each pass of the background thread; 0: after every pass).
struct SinkBatchPolicy {
  size_t max_bytes = 256 * 1024;
  size_t max_records = SIZE_MAX;
  std::chrono::milliseconds max_delay{0};
};

class Sink {
 public:
  using BatchPolicy = SinkBatchPolicy;

  virtual ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Records below this level are not given to this sink. Default: trace
  // (everything the loggers let through).
  void set_level(Level level) noexcept { level_.store(level, std::memory_order_relaxed); }
  Level level() const noexcept { return level_.load(std::memory_order_relaxed); }
  uint64_t write_errors() const noexcept { return write_errors_.load(std::memory_order_relaxed); }

  // Called by the background thread (see above).
  void Consume(const Record& record);
  void Tick(std::chrono::steady_clock::time_point now);
  void Flush();

 protected:
  explicit Sink(BatchPolicy policy = {}) : policy_(policy) {}

  // Appends one record to `batch`. May call WriteBatchNow() first, e.g. to
  // end a file before rotating it.
  virtual void Encode(const Record& record, Buffer& batch) = 0;
  // Delivers `batch`, `records` whole records, encoded by Encode.
  virtual void Write(std::string_view batch, size_t records) = 0;
  // Pushes written data to its destination (fsync-free; the OS has it).
  virtual void FlushOutput() {}

  void WriteBatchNow();
  void CountWriteError() noexcept { write_errors_.fetch_add(1, std::memory_order_relaxed); }

 private:
  BatchPolicy policy_;
  std::atomic<Level> level_{Level::kTrace};
  std::atomic<uint64_t> write_errors_{0};
  Buffer batch_;
  size_t batch_records_ = 0;
  std::chrono::steady_clock::time_point batch_started_;
};

}  // namespace callpath::log
