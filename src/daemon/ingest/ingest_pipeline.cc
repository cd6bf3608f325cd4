#include "daemon/ingest/ingest_pipeline.h"

#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "daemon/ingest/redaction_step.h"
#include "otlp/convert/otlp_json_decoder.h"
#include "otlp/convert/otlp_proto_decoder.h"

namespace callpath::daemon {

namespace {

uint64_t WallNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

IngestPipeline::IngestPipeline(store::Writer& writer, DaemonMetrics& metrics, IngestOptions options)
    : writer_(writer), metrics_(metrics), options_(std::move(options)) {
  const store::Writer::WriteShape shape = writer_.PreferredWriteShape();
  if (options_.max_index_items == 0) options_.max_index_items = shape.items;
  if (options_.index_linger.count() < 0) options_.index_linger = shape.linger;
}

Result<std::unique_ptr<IngestPipeline>> IngestPipeline::Open(store::Store& store, DaemonMetrics& metrics,
                                                             IngestOptions options) {
  return Open(store.writer(), metrics, std::move(options));
}

Result<std::unique_ptr<IngestPipeline>> IngestPipeline::Open(store::Writer& w, DaemonMetrics& metrics,
                                                             IngestOptions options) {
  store::Writer* writer = &w;
  if (options.wal.dir.empty()) return InvalidArgument("ingest WAL directory is empty");
  std::unique_ptr<IngestPipeline> p(new IngestPipeline(*writer, metrics, std::move(options)));
  if (p->options_.sampling.enabled()) p->sampler_ = std::make_unique<sampling::TailSampler>(p->options_.sampling);
  CALLPATH_RETURN_IF_ERROR(p->Replay(writer->DurablePosition()));
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
  if (p->sampler_) {
    p->sampler_thread_ = std::thread([self] {
      pthread_setname_np(pthread_self(), "cp-sampler");
      self->SamplerLoop();
    });
  }
  return p;
}

IngestPipeline::~IngestPipeline() { Stop(); }

Result<std::shared_ptr<const WalAttachment>> IngestPipeline::Prepare(store::IngestBatch batch) const {
  if (options_.redactor) RedactBatch(*options_.redactor, &batch);
  auto out = std::make_shared<WalAttachment>();
  if (options_.sampling.enabled()) {
    // Counted now, stored (or not) once their trace is decided.
    auto traced = std::make_shared<store::IngestBatch>();
    sampling::SplitForSampling(&batch, options_.sampling.logs_follow_trace, traced.get());
    if (traced->items() > 0) {
      Result<std::unique_ptr<store::PreparedBatch>> counted = writer_.PrepareStatistics(*traced);
      if (!counted.ok()) return counted.status();
      out->stored.push_back(std::move(counted).value());
      out->to_sample = std::move(traced);
    }
    if (batch.items() == 0) return std::shared_ptr<const WalAttachment>(std::move(out));
  }
  Result<std::unique_ptr<store::PreparedBatch>> prepared = writer_.Prepare(std::move(batch));
  if (!prepared.ok()) return prepared.status();
  out->stored.push_back(std::move(prepared).value());
  return std::shared_ptr<const WalAttachment>(std::move(out));
}

bool IngestPipeline::Submit(WalKind kind, uint64_t received_ns, std::string_view body,
                            std::shared_ptr<const WalAttachment> batch, Done done) {
  if (stopping_.load()) return false;
  const uint64_t items = batch->items();
  if (batch->to_sample) kind = SampledKind(kind, options_.sampling.logs_follow_trace);
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

}  // namespace

void AppendIngestBatch(store::IngestBatch&& from, store::IngestBatch* to) {
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

Status ConvertWalRecord(const WalRecord& r, const ItemLimits& limits, store::IngestBatch* out,
                        Rejections* rejected) {
  Rejections ignored;  // replay: reported to the client when the request arrived
  if (rejected == nullptr) rejected = &ignored;
  // Decoded apart from `out`, which may hold earlier records' items.
  store::IngestBatch record;
  Status s;
  switch (BaseKind(r.kind)) {
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
    case WalKind::kSamplingDecisions: return InvalidArgument("not an export request");
  }
  for (auto& log : record.logs)
    if (log.observed_ns == 0) log.observed_ns = r.received_ns;
  EnforceItemLimits(limits, r.received_ns, &record, rejected);
  AppendIngestBatch(std::move(record), out);
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
  std::vector<uint64_t> decisions;
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
    decisions.clear();
    const uint64_t now = WallNs();
    for (const auto& g : taken) {
      uint64_t lsn = g->first_lsn;
      for (const auto& a : g->attachments) {
        if (a) {
          for (const auto& b : a->stored)
            if (b) batches.push_back(b.get());
          // Held before the write that covers the record: the checkpointer
          // must never see the record in the store and not pinned.
          if (a->to_sample && sampler_) sampler_->Hold(lsn, std::move(*a->to_sample), now);
          if (a->decisions_id != 0) decisions.push_back(a->decisions_id);
        }
        ++lsn;
      }
      items += g->items;
    }
    if (sampler_) sampler_->Advance(taken.back()->last_lsn);
    Write(batches, taken.back()->last_lsn);
    // Kept items are in the store (or, if the write was abandoned at Stop,
    // their decision records are replayed): the WAL may let them go.
    if (sampler_ && !abandoned_)
      for (uint64_t id : decisions) sampler_->Release(id);
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
  // Read before the store's position (tail_sampler.h, "Crashes", rule 1).
  const uint64_t needed = sampler_ ? sampler_->OldestNeededLsn() : UINT64_MAX;
  Result<uint64_t> pos = writer_.Checkpoint();
  if (!pos.ok()) {
    std::fprintf(stderr, "callpathd: store checkpoint failed: %s\n", pos.status().ToString().c_str());
    return;
  }
  if (wal_) wal_->DropThrough(std::min(*pos, needed - 1));
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
    // No decision after this: held traces stay in the WAL for the restart.
    std::lock_guard<std::mutex> lock(sampler_mu_);
    sampler_stop_ = true;
  }
  sampler_cv_.notify_all();
  if (sampler_thread_.joinable()) sampler_thread_.join();
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

namespace callpath::daemon {

void IngestPipeline::SamplerLoop() {
  std::chrono::milliseconds tick = options_.sampling_tick;
  if (tick.count() == 0) {
    tick = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::nanoseconds(options_.sampling.decision_wait_ns / 4));
    tick = std::clamp(tick, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
  }
  std::unique_lock<std::mutex> lock(sampler_mu_);
  while (!sampler_stop_) {
    sampler_cv_.wait_for(lock, tick);
    if (sampler_stop_) break;
    lock.unlock();
    std::vector<std::pair<std::string, std::shared_ptr<const WalAttachment>>> retry;
    {
      std::lock_guard<std::mutex> l(retry_mu_);
      retry.swap(retry_);
    }
    for (auto& [body, attachment] : retry) AppendRecord(std::move(body), std::move(attachment));
    if (std::optional<sampling::Decisions> d = sampler_->Decide(WallNs())) AppendDecisions(std::move(*d));
    lock.lock();
  }
}

void IngestPipeline::AppendDecisions(sampling::Decisions d) {
  auto attachment = std::make_shared<WalAttachment>();
  attachment->decisions_id = d.id;
  if (d.kept.items() > 0) {
    Result<std::unique_ptr<store::PreparedBatch>> prepared = writer_.Prepare(std::move(d.kept));
    if (prepared.ok()) {
      attachment->stored.push_back(std::move(prepared).value());
    } else {
      // The items passed the same checks when they arrived; this is a bug.
      std::fprintf(stderr, "callpathd: error: kept traces cannot be stored: %s\n",
                   prepared.status().ToString().c_str());
      metrics_.spans.failed.fetch_add(d.kept.spans.size(), std::memory_order_relaxed);
    }
  }
  AppendRecord(sampling::EncodeDecisionRecord(d.record), std::move(attachment));
}

void IngestPipeline::AppendRecord(std::string body, std::shared_ptr<const WalAttachment> attachment) {
  // Decision records bypass the backlog's capacity: the sampler's own
  // bound (max_traces) limits them, and refusing one would stall it.
  const uint64_t items = attachment->items();
  depth_.fetch_add(items, std::memory_order_relaxed);
  auto retry = std::make_shared<std::pair<std::string, std::shared_ptr<const WalAttachment>>>(body, attachment);
  wal_->Append(WalKind::kSamplingDecisions, WallNs(), body, std::move(attachment),
               [this, items, retry](const Status& s) {
                 if (s.ok()) return;
                 depth_.fetch_sub(items, std::memory_order_relaxed);
                 std::lock_guard<std::mutex> lock(retry_mu_);
                 retry_.push_back(std::move(*retry));
               });
}

}  // namespace callpath::daemon
