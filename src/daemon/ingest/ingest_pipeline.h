// IngestPipeline: from an accepted export request to the store.
//
//   receiver (decodes, converts and prepares for the store on its own thread)
//     --Submit--> IngestWal (group commit: one write + fdatasync) --> ack
//            \--> indexer thread: one store write per group of requests,
//                 without RocksDB's WAL --> visible to queries
//   checkpointer: once enough closed WAL segments are indexed, makes the
//                 store durable (flush) and deletes those segments.
//
// A batch is acknowledged once its body is in the ingest WAL and synced;
// indexing follows in the background. After a crash, Open replays the WAL
// records the store had not made durable before anything is served, so
// every acknowledged item is readable once Open returns.
//
// Tail-based sampling (IngestOptions::sampling with policies): the spans
// of a request - and its log records with a trace id, when they follow
// their trace - go, after the WAL, to a TailSampler instead of the store;
// its decisions come back through the WAL as records of their own, whose
// writes store the kept traces. Statistics count every span on arrival.
// Why nothing acknowledged is lost on the way: daemon/sampling/
// tail_sampler.h, "Crashes".
//
// Overload policy: at most `capacity_items` spans + log records may be
// acknowledged-or-queued but not yet indexed. A batch that does not fit
// is refused at once (Submit returns false) - the receiver answers 429 /
// RESOURCE_EXHAUSTED and the client retries. This bounds the memory held
// by bodies waiting for the indexer.
//
// Thread-safe. `done` runs exactly once per accepted batch, on the WAL's
// committer thread, and must not block.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "callpath/status.h"
#include "daemon/ingest/ingest_wal.h"
#include "daemon/ingest/item_limits.h"
#include "daemon/metrics.h"
#include "daemon/sampling/tail_sampler.h"
#include "otlp/convert/otlp_batch.h"
#include "redact/redactor.h"
#include "store/store.h"

namespace callpath::daemon {

struct IngestOptions {
  uint64_t capacity_items = 1'000'000;
  // The indexer merges queued requests up to this many items per store
  // write; 0 takes the store's (Writer::PreferredWriteShape).
  size_t max_index_items = 0;
  // ... and waits up to this long for that many, unless a reader waits for
  // visibility; negative takes the store's. Requests form a segment per
  // write (keys.h), so writing each small request alone costs several
  // times the memtable inserts per span.
  std::chrono::milliseconds index_linger{-1};
  // Closed WAL segments of at least this many bytes trigger a checkpoint
  // (store flush) after which they are deleted.
  uint64_t checkpoint_wal_bytes = 256ull << 20;
  WalOptions wal;  // wal.dir is required
  // Items over these limits are rejected, when they arrive and on replay.
  ItemLimits limits;
  // Run over every batch before it is prepared for the store (arrivals and
  // replay); null = no redaction. Must outlive the pipeline.
  const redact::Redactor* redactor = nullptr;
  // Tail-based sampling; off without policies (every span is stored).
  sampling::SamplingConfig sampling;
  // How often the sampler looks for traces due for a decision; 0 = a
  // quarter of decision_wait, between 1 ms and 100 ms.
  std::chrono::milliseconds sampling_tick{0};
};

// Decodes a WAL record's body as the receiver does, appending the valid
// items within `limits` to `out` and counting the others in `rejected`
// (optional). Logs without observed time get the record's received time.
Status ConvertWalRecord(const WalRecord& record, const ItemLimits& limits, store::IngestBatch* out,
                        Rejections* rejected = nullptr);

// Moves every item of `from` to the end of `to`, with its resource.
void AppendIngestBatch(store::IngestBatch&& from, store::IngestBatch* to);

class IngestPipeline {
 public:
  using Done = std::function<void(const Status&)>;

  // Opens the WAL, replays into `store` what it lacks, and starts the
  // threads. `store`, like `metrics`, must outlive the pipeline.
  static Result<std::unique_ptr<IngestPipeline>> Open(store::Store& store, DaemonMetrics& metrics,
                                                      IngestOptions options);
  // The same with the store's writer given (tests interpose on it); it
  // must outlive the pipeline.
  static Result<std::unique_ptr<IngestPipeline>> Open(store::Writer& writer, DaemonMetrics& metrics,
                                                      IngestOptions options);
  ~IngestPipeline();  // Stop()s
  IngestPipeline(const IngestPipeline&) = delete;
  IngestPipeline& operator=(const IngestPipeline&) = delete;

  // Encodes a request's valid items for the store (on the calling thread;
  // any number of threads at once); with sampling on, sets apart the items
  // the sampler takes and prepares only their statistics.
  Result<std::shared_ptr<const WalAttachment>> Prepare(store::IngestBatch batch) const;

  // Queues a request: `body` is what goes to the WAL (what replay decodes
  // again; it need not outlive the call), `prepared` its valid items from
  // Prepare (non-empty). Returns false without queueing, and without
  // calling `done`, when the backlog is full or the pipeline is stopping.
  bool Submit(WalKind kind, uint64_t received_ns, std::string_view body,
              std::shared_ptr<const WalAttachment> prepared, Done done);

  // Waits until every batch accepted before the call is visible to
  // readers (batches the WAL then fails to write are not waited for);
  // false if `timeout` passed first, or at once while the store refuses
  // writes (nothing would become visible).
  bool WaitVisible(std::chrono::milliseconds timeout);

  uint64_t depth() const noexcept { return depth_.load(std::memory_order_relaxed); }
  uint64_t capacity() const noexcept { return options_.capacity_items; }
  const ItemLimits& limits() const noexcept { return options_.limits; }
  bool stopping() const noexcept { return stopping_.load(); }
  uint64_t replayed_records() const noexcept { return replayed_; }
  // The tail sampler; null when sampling is off.
  const sampling::TailSampler* sampler() const noexcept { return sampler_.get(); }
  // What reading the WAL at Open found unreadable.
  const WalRecoveryReport& wal_recovery() const { return wal_->recovery(); }
  // Why batches are refused (the WAL cannot write) or not indexed (the
  // store refuses writes); empty when they are not.
  std::string ingest_failure() const { return wal_ ? wal_->failure() : std::string(); }
  std::string index_failure() const;

  // Refuses new batches, syncs and indexes everything accepted, checkpoints
  // the store and drops the WAL it covers, joins the threads. Idempotent.
  void Stop();

 private:
  IngestPipeline(store::Writer& writer, DaemonMetrics& metrics, IngestOptions options);

  // Open's replay (ingest_replay.cc): what the store lacks is written again,
  // and what the sampler held is held again.
  Status Replay(uint64_t durable);
  // The sampler thread: decides traces as they fall due and appends the
  // decisions to the WAL.
  void SamplerLoop();
  void AppendDecisions(sampling::Decisions decisions);
  // Appends a decision record (retried by the sampler thread on failure).
  void AppendRecord(std::string body, std::shared_ptr<const WalAttachment> attachment);

  // Writes `batches`, covering WAL records up to `lsn`; retries while the
  // store fails (the records stay in the WAL meanwhile).
  void Write(const std::vector<const store::PreparedBatch*>& batches, uint64_t lsn);
  void IndexLoop();
  void CheckpointLoop();
  void CheckpointNow();

  store::Writer& writer_;
  DaemonMetrics& metrics_;
  IngestOptions options_;
  std::unique_ptr<IngestWal> wal_;
  uint64_t replayed_ = 0;
  std::unique_ptr<sampling::TailSampler> sampler_;
  // Decision records the WAL refused (a full disk), appended again later.
  std::mutex retry_mu_;
  std::vector<std::pair<std::string, std::shared_ptr<const WalAttachment>>> retry_;
  std::mutex sampler_mu_;
  std::condition_variable sampler_cv_;
  bool sampler_stop_ = false;
  std::thread sampler_thread_;

  std::atomic<uint64_t> depth_{0};
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;
  bool abandoned_ = false;  // indexer only: the store refused writes at Stop

  mutable std::mutex mu_;
  std::condition_variable cv_;          // groups arrived / stopping
  std::condition_variable visible_cv_;  // indexed_lsn_ advanced
  std::deque<std::shared_ptr<WalGroup>> groups_;  // durable, not indexed
  bool wal_drained_ = false;  // the committer has stopped
  uint64_t indexed_lsn_ = 0;  // guarded by mu_
  int visibility_waiters_ = 0;  // guarded by mu_: WaitVisible calls waiting
  std::string index_failure_;   // guarded by mu_: the store's last write error while retrying

  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_stop_ = false;

  std::thread indexer_, checkpointer_;
};

}  // namespace callpath::daemon
