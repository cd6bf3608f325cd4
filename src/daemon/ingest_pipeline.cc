#include "daemon/ingest_pipeline.h"

#include <chrono>
#include <iterator>

namespace callpath::daemon {

IngestPipeline::IngestPipeline(store::Store& store, DaemonMetrics& metrics, IngestOptions options)
    : store_(store), metrics_(metrics), options_(options) {
  int n = options_.writer_threads < 1 ? 1 : options_.writer_threads;
  for (int i = 0; i < n; ++i) writers_.emplace_back([this] { WriterLoop(); });
}

IngestPipeline::~IngestPipeline() { Stop(); }

bool IngestPipeline::SubmitSpans(std::vector<store::StoredSpan> spans, Done done) {
  Job job;
  job.spans = std::move(spans);
  job.done = std::move(done);
  return Admit(std::move(job));
}

bool IngestPipeline::SubmitLogs(std::vector<store::StoredLog> logs, Done done) {
  Job job;
  job.logs = std::move(logs);
  job.done = std::move(done);
  return Admit(std::move(job));
}

bool IngestPipeline::Admit(Job job) {
  size_t n = job.items();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_.load()) return false;
    uint64_t depth = depth_.load(std::memory_order_relaxed);
    // A batch bigger than the whole queue is still taken when the queue is
    // empty; otherwise it could never be stored.
    if (depth > 0 && depth + n > options_.capacity_items) return false;
    depth_.store(depth + n, std::memory_order_relaxed);
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void IngestPipeline::WriterLoop() {
  std::vector<Job> group;
  for (;;) {
    group.clear();
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || stopping_.load(); });
      if (queue_.empty()) return;  // stopping and drained
      // Take the first job and the following ones of the same signal, up
      // to max_merge_items.
      bool spans = !queue_.front().spans.empty();
      size_t items = 0;
      while (!queue_.empty() && (!queue_.front().spans.empty()) == spans &&
             (group.empty() || items + queue_.front().items() <= options_.max_merge_items)) {
        items += queue_.front().items();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    WriteGroup(group);
  }
}

void IngestPipeline::WriteGroup(std::vector<Job>& group) {
  bool spans = !group.front().spans.empty();
  size_t items = 0;
  for (const Job& j : group) items += j.items();
  auto t0 = std::chrono::steady_clock::now();
  Status status;
  if (spans) {
    if (group.size() == 1) {
      status = store_.span_writer().WriteSpans(group.front().spans);
    } else {
      std::vector<store::StoredSpan> merged;
      merged.reserve(items);
      for (Job& j : group) std::move(j.spans.begin(), j.spans.end(), std::back_inserter(merged));
      status = store_.span_writer().WriteSpans(merged);
    }
  } else {
    if (group.size() == 1) {
      status = store_.log_writer().WriteLogs(group.front().logs);
    } else {
      std::vector<store::StoredLog> merged;
      merged.reserve(items);
      for (Job& j : group) std::move(j.logs.begin(), j.logs.end(), std::back_inserter(merged));
      status = store_.log_writer().WriteLogs(merged);
    }
  }
  metrics_.store_write_latency.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  SignalCounters& c = spans ? metrics_.spans : metrics_.logs;
  (status.ok() ? c.stored : c.failed).fetch_add(items, std::memory_order_relaxed);
  depth_.fetch_sub(items, std::memory_order_relaxed);
  for (Job& j : group) j.done(status);
}

void IngestPipeline::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_.exchange(true) && writers_.empty()) return;
  }
  cv_.notify_all();
  for (auto& t : writers_) {
    if (t.joinable()) t.join();
  }
  writers_.clear();
}

}  // namespace callpath::daemon
