// IngestPipeline: the bounded queue between the receivers and the store.
//
// Receivers decode on their own threads and Submit the valid items; writer
// threads take queued batches (merging small ones of the same signal into
// one store write, which also shares the WAL sync) and call the store.
// Each batch's `done` runs after the store answered, so a receiver
// acknowledges a batch only once it is durable.
//
// Overload policy: the queue holds at most `capacity_items` spans + log
// records. A batch that does not fit is refused at once (Submit returns
// false) - the receiver answers 429 / RESOURCE_EXHAUSTED and the client
// retries; nothing is buffered beyond the bound.
//
// Thread-safe. `done` is called exactly once per accepted batch, on a
// writer thread, and must not block.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "callpath/status.h"
#include "callpath/store/store.h"
#include "daemon/metrics.h"

namespace callpath::daemon {

struct IngestOptions {
  uint64_t capacity_items = 1'000'000;
  int writer_threads = 2;
  // A writer merges queued batches of one signal up to this many items into
  // one store write.
  size_t max_merge_items = 16384;
};

class IngestPipeline {
 public:
  using Done = std::function<void(const Status&)>;

  // `store` and `metrics` must outlive the pipeline.
  IngestPipeline(store::Store& store, DaemonMetrics& metrics, IngestOptions options);
  ~IngestPipeline();  // Stop()s
  IngestPipeline(const IngestPipeline&) = delete;
  IngestPipeline& operator=(const IngestPipeline&) = delete;

  // Queues a batch (non-empty). Returns false without queueing, and without
  // calling `done`, when the queue is full or the pipeline is stopping.
  bool SubmitSpans(std::vector<store::StoredSpan> spans, Done done);
  bool SubmitLogs(std::vector<store::StoredLog> logs, Done done);

  uint64_t depth() const noexcept { return depth_.load(std::memory_order_relaxed); }
  uint64_t capacity() const noexcept { return options_.capacity_items; }
  bool stopping() const noexcept { return stopping_.load(); }

  // Refuses new batches, writes everything still queued, joins the writers.
  // Idempotent.
  void Stop();

 private:
  struct Job {
    std::vector<store::StoredSpan> spans;
    std::vector<store::StoredLog> logs;
    Done done;
    size_t items() const { return spans.size() + logs.size(); }
  };

  bool Admit(Job job);
  void WriterLoop();
  void WriteGroup(std::vector<Job>& group);

  store::Store& store_;
  DaemonMetrics& metrics_;
  IngestOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // guarded by mu_
  std::atomic<uint64_t> depth_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> writers_;
};

}  // namespace callpath::daemon
