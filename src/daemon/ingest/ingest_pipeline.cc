#include "daemon/ingest/ingest_pipeline.h"

#include <pthread.h>

#include <cstdio>

#include "daemon/ingest/redaction_step.h"
#include "otlp/convert/otlp_json_decoder.h"
#include "otlp/convert/otlp_proto_decoder.h"

namespace callpath::daemon {

IngestPipeline::IngestPipeline(store::Writer& writer, DaemonMetrics& metrics, IngestOptions options)
    : writer_(writer), metrics_(metrics), options_(std::move(options)) {}

Result<std::unique_ptr<IngestPipeline>> IngestPipeline::Open(store::Store& store, DaemonMetrics& metrics,
                                                             IngestOptions options) {
  return Open(store.writer(), metrics, std::move(options));
}

Result<std::unique_ptr<IngestPipeline>> IngestPipeline::Open(store::Writer& w, DaemonMetrics& metrics,
                                                             IngestOptions options) {
  store::Writer* writer = &w;
  if (options.wal.dir.empty()) return InvalidArgument("ingest WAL directory is empty");
  std::unique_ptr<IngestPipeline> p(new IngestPipeline(*writer, metrics, std::move(options)));

  // Replay: what the store has not made durable is converted again and
  // written in store-sized batches, in lsn order, before anything is served.
  uint64_t durable = writer->DurablePosition();
  uint64_t last = durable;
  store::IngestBatch pending;
  auto flush = [&] {
    if (p->options_.redactor) RedactBatch(*p->options_.redactor, &pending);
    Result<std::unique_ptr<store::PreparedBatch>> prepared = writer->Prepare(std::move(pending));
    pending = store::IngestBatch();
    if (prepared.ok()) {
      p->Write({prepared->get()}, last);
    } else {
      std::fprintf(stderr, "callpathd: replayed WAL records cannot be stored: %s\n",
                   prepared.status().ToString().c_str());
    }
  };
  auto opened = IngestWal::Open(p->options_.wal, durable, [&](const WalRecord& r) {
    (void)ConvertWalRecord(r, p->options_.limits, &pending);
    ++p->replayed_;
    last = r.lsn;
    if (pending.items() >= p->options_.max_index_items) flush();
  });
  if (!opened.ok()) return opened.status();
  if (p->replayed_ > 0) flush();
  p->wal_ = std::move(opened).value();
  p->indexed_lsn_ = p->wal_->last_lsn();
  const WalRecoveryReport& report = p->wal_->recovery();
  for (const WalDamage& d : report.damage) {
    std::fprintf(stderr, "callpathd: %s: ingest WAL %s\n", d.torn_tail ? "warning" : "error", d.Describe().c_str());
  }
  if (report.damaged()) {
    std::fprintf(stderr,
                 "callpathd: error: ingest WAL damaged: %llu unreadable bytes, %llu acknowledged record(s) lost; "
                 "every readable record after the damage was recovered; damaged segments go to %s\n",
                 static_cast<unsigned long long>(report.damaged_bytes()),
                 static_cast<unsigned long long>(report.lost_records()),
                 WalQuarantineDir(p->options_.wal.dir).c_str());
  }
  if (p->replayed_ > 0 || report.damaged()) {
    // Make the replay durable at once so a second crash does not redo it
    // (and damaged segments move to quarantine/ once nothing needs them).
    p->CheckpointNow();
    std::fprintf(stderr, "callpathd: replayed %llu ingest WAL records\n",
                 static_cast<unsigned long long>(p->replayed_));
  }

  IngestPipeline* self = p.get();
  p->wal_->Start([self](std::shared_ptr<WalGroup> g) {
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->groups_.push_back(std::move(g));
    }
    self->cv_.notify_one();
  });
  p->indexer_ = std::thread([self] {
    pthread_setname_np(pthread_self(), "cp-indexer");
    self->IndexLoop();
  });
  p->checkpointer_ = std::thread([self] {
    pthread_setname_np(pthread_self(), "cp-checkpoint");
    self->CheckpointLoop();
  });
  return p;
}

IngestPipeline::~IngestPipeline() { Stop(); }

Result<std::shared_ptr<const store::PreparedBatch>> IngestPipeline::Prepare(store::IngestBatch batch) const {
  if (options_.redactor) RedactBatch(*options_.redactor, &batch);
  Result<std::unique_ptr<store::PreparedBatch>> prepared = writer_.Prepare(std::move(batch));
  if (!prepared.ok()) return prepared.status();
  return std::shared_ptr<const store::PreparedBatch>(std::move(prepared).value());
}

bool IngestPipeline::Submit(WalKind kind, uint64_t received_ns, std::string_view body,
                            std::shared_ptr<const store::PreparedBatch> batch, Done done) {
  if (stopping_.load()) return false;
  const uint64_t items = batch->items();
  // A batch bigger than the whole backlog is still taken when the backlog
  // is empty; otherwise it could never be stored.
  uint64_t depth = depth_.load(std::memory_order_relaxed);
  do {
    if (depth > 0 && depth + items > options_.capacity_items) return false;
  } while (!depth_.compare_exchange_weak(depth, depth + items, std::memory_order_relaxed));
  wal_->Append(kind, received_ns, body, std::move(batch), [this, items, done = std::move(done)](const Status& s) {
    // A record that failed to reach the WAL is never indexed.
    if (!s.ok()) {
      depth_.fetch_sub(items, std::memory_order_relaxed);
      { std::lock_guard<std::mutex> lock(mu_); }  // a waiter is waiting or has not checked yet
      visible_cv_.notify_all();
    }
    done(s);
  });
  return true;
}

namespace {

void AppendSpans(SpanBatch&& in, store::IngestBatch* out) {
  for (auto& span : in.spans) {
    if (out->resources.empty() || out->resources.back() != span.resource_attributes) {
      out->resources.push_back(std::move(span.resource_attributes));
    }
    span.resource_attributes.clear();
    out->span_resource.push_back(static_cast<uint32_t>(out->resources.size() - 1));
    out->spans.push_back(std::move(span));
  }
}

void AppendLogs(LogBatch&& in, store::IngestBatch* out) {
  for (auto& log : in.logs) {
    if (out->resources.empty() || out->resources.back() != log.resource_attributes) {
      out->resources.push_back(std::move(log.resource_attributes));
    }
    log.resource_attributes.clear();
    out->log_resource.push_back(static_cast<uint32_t>(out->resources.size() - 1));
    out->logs.push_back(std::move(log));
  }
}

// Moves every item of `from` to the end of `to`, with its resource.
void AppendBatch(store::IngestBatch&& from, store::IngestBatch* to) {
  if (to->items() == 0 && to->resources.empty()) {
    *to = std::move(from);
    return;
  }
  const auto base = static_cast<uint32_t>(to->resources.size());
  for (auto& r : from.resources) to->resources.push_back(std::move(r));
  for (size_t i = 0; i < from.spans.size(); ++i) {
    to->spans.push_back(std::move(from.spans[i]));
    to->span_resource.push_back(base + from.span_resource[i]);
  }
  for (size_t i = 0; i < from.logs.size(); ++i) {
    to->logs.push_back(std::move(from.logs[i]));
    to->log_resource.push_back(base + from.log_resource[i]);
  }
}

}  // namespace

Status ConvertWalRecord(const WalRecord& r, const ItemLimits& limits, store::IngestBatch* out,
                        Rejections* rejected) {
  Rejections ignored;  // replay: reported to the client when the request arrived
  if (rejected == nullptr) rejected = &ignored;
  // Decoded apart from `out`, which may hold earlier records' items.
  store::IngestBatch record;
  Status s;
  switch (r.kind) {
    case WalKind::kTracesProto: s = DecodeOtlpProtoTraces(r.body, &record, rejected); break;
    case WalKind::kLogsProto: s = DecodeOtlpProtoLogs(r.body, &record, rejected); break;
    case WalKind::kTracesJson: {
      SpanBatch batch;
      s = DecodeOtlpJsonTraces(r.body, &batch);
      *rejected = std::move(batch.rejected);
      AppendSpans(std::move(batch), &record);
      break;
    }
    case WalKind::kLogsJson: {
      LogBatch batch;
      s = DecodeOtlpJsonLogs(r.body, &batch);
      *rejected = std::move(batch.rejected);
      AppendLogs(std::move(batch), &record);
      break;
    }
  }
  for (auto& log : record.logs)
    if (log.observed_ns == 0) log.observed_ns = r.received_ns;
  EnforceItemLimits(limits, r.received_ns, &record, rejected);
  AppendBatch(std::move(record), out);
  return s;
}

void IngestPipeline::Write(const std::vector<const store::PreparedBatch*>& batches, uint64_t lsn) {
  uint64_t spans = 0, logs = 0;
  for (const auto* b : batches) {
    spans += b->span_count();
    logs += b->log_count();
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    if (abandoned_) return;
    if (stopping_.load() && attempt >= 20) {
      // Stopping while the store refuses writes: the records stay in the
      // WAL and are replayed at the next start. Later batches must not be
      // written either, or their position would cover these.
      std::fprintf(stderr, "callpathd: error: stopping with records the store did not take; "
                   "they stay in the ingest WAL and are replayed at the next start\n");
      abandoned_ = true;
      return;
    }
    Status s = writer_.Write(batches, lsn);
    if (s.ok()) {
      metrics_.spans.stored.fetch_add(spans, std::memory_order_relaxed);
      metrics_.logs.stored.fetch_add(logs, std::memory_order_relaxed);
      break;
    }
    if (attempt == 0 || attempt % 100 == 0) {
      std::fprintf(stderr, "callpathd: indexing failed, retrying (the data is safe in the WAL): %s\n",
                   s.ToString().c_str());
    }
    if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kFailedPrecondition) {
      // Retrying cannot help: the batch is lost to the store.
      metrics_.spans.failed.fetch_add(spans, std::memory_order_relaxed);
      metrics_.logs.failed.fetch_add(logs, std::memory_order_relaxed);
      break;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      index_failure_ = s.ToString();
    }
    visible_cv_.notify_all();  // readers stop waiting for this write
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // A store that stopped after a background error (a flush on a full
    // disk) takes writes again only once told to resume.
    (void)writer_.Resume();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    index_failure_.clear();
  }
  metrics_.store_write_latency.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

void IngestPipeline::IndexLoop() {
  std::vector<std::shared_ptr<WalGroup>> taken;
  std::vector<const store::PreparedBatch*> batches;
  for (;;) {
    taken.clear();
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !groups_.empty() || wal_drained_; });
      if (groups_.empty()) return;  // the WAL stopped and everything is indexed
      auto queued = [&] {
        uint64_t n = 0;
        for (const auto& g : groups_) n += g->items;
        return n;
      };
      const auto linger_end = std::chrono::steady_clock::now() + options_.index_linger;
      while (queued() < options_.max_index_items && visibility_waiters_ == 0 && !wal_drained_ &&
             cv_.wait_until(lock, linger_end) != std::cv_status::timeout) {
      }
      uint64_t items = 0;
      while (!groups_.empty() && (taken.empty() || items + groups_.front()->items <= options_.max_index_items)) {
        items += groups_.front()->items;
        taken.push_back(std::move(groups_.front()));
        groups_.pop_front();
      }
    }
    uint64_t items = 0;
    batches.clear();
    for (const auto& g : taken) {
      for (const auto& b : g->batches)
        if (b) batches.push_back(b.get());
      items += g->items;
    }
    Write(batches, taken.back()->last_lsn);
    depth_.fetch_sub(items, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu_);
      indexed_lsn_ = taken.back()->last_lsn;
    }
    visible_cv_.notify_all();
    taken.clear();  // frees the bodies before waiting
  }
}

bool IngestPipeline::WaitVisible(std::chrono::milliseconds timeout) {
  if (!wal_) return true;
  uint64_t target = wal_->last_lsn();
  // Records the WAL could not write are no reason to wait: their numbers
  // are handed out again, so the target shrinks to what is still pending.
  auto visible = [&] { return indexed_lsn_ >= std::min(target, wal_->last_lsn()) || stopped_; };
  std::unique_lock<std::mutex> lock(mu_);
  if (visible()) return true;
  if (!index_failure_.empty()) return false;  // the store takes no writes now
  ++visibility_waiters_;
  cv_.notify_one();  // the indexer stops lingering
  (void)visible_cv_.wait_for(lock, timeout, [&] { return visible() || !index_failure_.empty(); });
  --visibility_waiters_;
  return visible();
}

std::string IngestPipeline::index_failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return index_failure_;
}

void IngestPipeline::CheckpointNow() {
  Result<uint64_t> pos = writer_.Checkpoint();
  if (!pos.ok()) {
    std::fprintf(stderr, "callpathd: store checkpoint failed: %s\n", pos.status().ToString().c_str());
    return;
  }
  if (wal_) wal_->DropThrough(*pos);
}

void IngestPipeline::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(ckpt_mu_);
  while (!ckpt_stop_) {
    ckpt_cv_.wait_for(lock, std::chrono::seconds(1));
    if (ckpt_stop_) break;
    if (wal_->closed_bytes() < options_.checkpoint_wal_bytes) continue;
    lock.unlock();
    CheckpointNow();
    lock.lock();
  }
}

void IngestPipeline::Stop() {
  if (stopping_.exchange(true)) {
    if (stopped_) return;
  }
  {
    std::lock_guard<std::mutex> lock(ckpt_mu_);
    ckpt_stop_ = true;
  }
  ckpt_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (wal_) wal_->Stop();  // syncs what is queued and acknowledges it
  {
    std::lock_guard<std::mutex> lock(mu_);
    wal_drained_ = true;
  }
  cv_.notify_all();
  if (indexer_.joinable()) indexer_.join();
  if (wal_) CheckpointNow();  // a clean restart replays nothing
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  visible_cv_.notify_all();
}

}  // namespace callpath::daemon
