// IngestPipeline::Replay: what a restart does with the ingest WAL before
// anything is served. Records the store lacks are converted again and
// written in store-sized batches, in lsn order; with tail sampling, the
// records the store already has are read too, so that the sampler holds
// again what it held (daemon/sampling/tail_sampler.h, "Crashes").
#include <chrono>
#include <cstdio>

#include "daemon/ingest/ingest_pipeline.h"
#include "daemon/ingest/redaction_step.h"

namespace callpath::daemon {

namespace {

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// A sampler that keeps everything: for items a sampler held before a
// restart with sampling turned off.
sampling::SamplingConfig KeepEverything() {
  sampling::SamplingConfig c;
  c.decision_wait_ns = 0;
  c.max_decision_wait_ns = 0;
  sampling::PolicyConfig all;
  all.name = "always_sample";
  all.type = sampling::PolicyType::kAlwaysSample;
  c.policies.push_back(all);
  return c;
}

}  // namespace

Status IngestPipeline::Replay(uint64_t durable) {
  const uint64_t now = NowNs();
  uint64_t last = durable;  // the position `pending` is written at
  bool gathered = false;    // records gathered since the last write
  store::IngestBatch pending;
  // Statistics of the sampled records gathered (their items go to the sampler).
  std::vector<std::unique_ptr<store::PreparedBatch>> counted;
  auto flush = [&] {
    if (!gathered) return;
    std::vector<const store::PreparedBatch*> batches;
    for (const auto& c : counted) batches.push_back(c.get());
    Result<std::unique_ptr<store::PreparedBatch>> prepared = writer_.Prepare(std::move(pending));
    pending = store::IngestBatch();
    if (prepared.ok()) {
      batches.push_back(prepared->get());
    } else {
      std::fprintf(stderr, "callpathd: replayed WAL records cannot be stored: %s\n",
                   prepared.status().ToString().c_str());
    }
    Write(batches, last);
    counted.clear();
    gathered = false;
  };
  auto sampler = [&]() -> sampling::TailSampler& {
    if (!sampler_) {
      sampler_ = std::make_unique<sampling::TailSampler>(KeepEverything());
      sampler_->StartReplay();
    }
    return *sampler_;
  };
  if (sampler_) sampler_->StartReplay();

  auto decision = [&](const WalRecord& r, bool covered) {
    Result<sampling::DecisionRecord> record = sampling::DecodeDecisionRecord(r.body);
    if (!record.ok()) {
      std::fprintf(stderr, "callpathd: error: WAL record %llu: %s\n", static_cast<unsigned long long>(r.lsn),
                   record.status().ToString().c_str());
      return;
    }
    store::IngestBatch kept = sampler().ApplyRecorded(*record);
    sampler().Advance(r.lsn);
    if (covered) return;  // the store has its kept items
    ++replayed_;
    flush();  // the records before it first: positions only grow
    Result<std::unique_ptr<store::PreparedBatch>> prepared = writer_.Prepare(std::move(kept));
    if (prepared.ok()) {
      Write({prepared->get()}, r.lsn);
    } else {
      std::fprintf(stderr, "callpathd: replayed kept traces cannot be stored: %s\n",
                   prepared.status().ToString().c_str());
    }
    last = r.lsn;
  };
  auto request = [&](const WalRecord& r, bool covered) {
    if (covered && !IsSampledKind(r.kind)) return;  // in the store, nothing held
    store::IngestBatch record;
    (void)ConvertWalRecord(r, options_.limits, &record);
    if (options_.redactor) RedactBatch(*options_.redactor, &record);
    if (IsSampledKind(r.kind)) {
      store::IngestBatch traced;
      sampling::SplitForSampling(&record, LogsFollowTrace(r.kind), &traced);
      if (!covered && traced.items() > 0) {
        Result<std::unique_ptr<store::PreparedBatch>> c = writer_.PrepareStatistics(traced);
        if (c.ok()) counted.push_back(std::move(c).value());
      }
      sampler().Hold(r.lsn, std::move(traced), now);
    }
    if (covered) return;
    ++replayed_;
    last = r.lsn;
    gathered = true;
    AppendIngestBatch(std::move(record), &pending);
    if (pending.items() + counted.size() >= options_.max_index_items) flush();
  };
  auto replay = [&](const WalRecord& r, bool covered) {
    if (BaseKind(r.kind) == WalKind::kSamplingDecisions) {
      decision(r, covered);
    } else {
      request(r, covered);
    }
  };
  auto opened = IngestWal::Open(
      options_.wal, durable, [&](const WalRecord& r) { replay(r, false); },
      [&](const WalRecord& r) { replay(r, true); });
  if (!opened.ok()) return opened.status();
  flush();
  wal_ = std::move(opened).value();
  if (sampler_) {
    sampler_->Advance(wal_->last_lsn());
    sampler_->FinishReplay(now);
  }
  return Status::Ok();
}

}  // namespace callpath::daemon
