// TailSampler: keeps or drops whole traces once they are complete, as the
// OpenTelemetry Collector's tail_sampling processor does, inside callpathd's
// ingest pipeline (so it works over any store).
//
// How a span travels (daemon/ingest/ingest_pipeline.h has the whole flow):
//
//   receiver: SplitForSampling -> the trace's items and the rest. The
//     statistics of ALL items are prepared at once (Writer::
//     PrepareStatistics) and written with the request's WAL record, so
//     RED metrics and baselines count every span, kept or not. Log
//     records without a trace id are stored as usual.
//   indexer (in WAL order): Hold(lsn, items) - the items wait here, by
//     trace.
//   sampler thread: Decide(now) - every trace quiet for decision_wait (or
//     held for max_decision_wait, or the oldest when max_traces are held)
//     is run through the policies; the kept traces' items and the list of
//     decisions go to the WAL as one kSamplingDecisions record, whose write
//     stores the kept items (IngestBatch::fold_statistics = false).
//   Late items of a decided trace (its decision still in the cache of
//     `decision_cache` recent ones) follow that decision in the next record.
//
// Crashes. A span is acknowledged once its request is in the WAL; while it
// waits here it is in memory only. Two rules keep it:
//   1. The WAL keeps every segment holding an item that is held, or whose
//      kept write is not yet in the store: the checkpointer deletes WAL
//      segments only below OldestNeededLsn() (read before it asks the store
//      for its durable position, so a hold that starts meanwhile is above
//      it: Hold takes records in lsn order and the floor is the next record
//      not yet seen).
//   2. Replay re-reads those records - also the ones the store already
//      covers - and hands their items to a sampler in replay mode. Each
//      decision record settles, for its traces, exactly the items of records
//      up to its covered_through_lsn (ApplyRecorded): they are dropped, or,
//      when the decision record is newer than the store, written again at
//      its lsn. What is left after replay was undecided at the crash, or its
//      decision never reached the WAL: FinishReplay holds it again (late
//      items of a trace decided during replay follow that decision), with
//      its quiet time counted from the restart.
// So every acknowledged span is either stored, dropped by a decision that
// reached the WAL, or held again after the restart; a kept item is written
// once (its decision record's position tells the store it has it). Stop
// leaves held traces in the WAL the same way: a restart holds them again.
//
// Threads: every method takes one lock; any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/sampling/decision_record.h"
#include "daemon/sampling/policy.h"
#include "daemon/sampling/sampling_config.h"
#include "store/store.h"

namespace callpath::daemon::sampling {

// The items of `batch` that follow their trace's decision (every span;
// log records with a trace id when `logs_follow_trace`) moved to `traced`;
// what stays in `batch` is stored at once. Resources are copied to both
// sides as needed.
void SplitForSampling(store::IngestBatch* batch, bool logs_follow_trace, store::IngestBatch* traced);

// One batch of decisions, to append to the WAL (record) and to write at
// that record's lsn (kept). Hand `id` back to Release once written.
struct Decisions {
  uint64_t id = 0;
  DecisionRecord record;
  store::IngestBatch kept;  // fold_statistics = false: counted on arrival
};

// What /metrics shows (RenderMetrics).
struct SamplerCounts {
  uint64_t held_traces = 0, held_spans = 0, held_logs = 0;
  uint64_t traces_sampled = 0, traces_not_sampled = 0;
  uint64_t spans_sampled = 0, spans_not_sampled = 0;
  uint64_t logs_sampled = 0, logs_not_sampled = 0;
  uint64_t decided_at_cap = 0;       // the oldest trace, decided early because max_traces were held
  uint64_t decided_at_max_wait = 0;  // held max_decision_wait without going quiet
  uint64_t late_spans_sampled = 0, late_spans_not_sampled = 0;
  uint64_t late_logs = 0;
  uint64_t cache_evictions = 0;  // decisions forgotten to bound the cache
  uint64_t unwritten_decisions = 0;  // Decisions emitted and not yet Released
  // Per top-level policy (config order): traces it sampled / did not.
  std::vector<std::string> policy_names;
  std::vector<uint64_t> policy_sampled, policy_not_sampled;
};

// Adds `from` into `into` (the samplers of several tenants, one config:
// policies line up by position).
void AddCounts(const SamplerCounts& from, SamplerCounts* into);
// Prometheus text of `counts`: the callpathd_sampling_* metrics.
void RenderSamplerMetrics(const SamplerCounts& counts, std::string& out);

class TailSampler {
 public:
  explicit TailSampler(SamplingConfig config);

  const SamplingConfig& config() const noexcept { return config_; }

  // Takes the items of WAL record `lsn` (SplitForSampling's `traced`;
  // records in increasing lsn order). At max_traces held, the oldest
  // traces are decided early to make room.
  void Hold(uint64_t lsn, store::IngestBatch items, uint64_t now_ns);
  // Every record up to `lsn` has been given to Hold (those without items
  // to hold included).
  void Advance(uint64_t lsn);

  // Decides the traces that are due at `now_ns` and gathers late items;
  // nothing when there is nothing to record.
  std::optional<Decisions> Decide(uint64_t now_ns);
  // Decides every held trace now (tests; a sampler replaced at restart).
  std::optional<Decisions> DecideAll(uint64_t now_ns);
  // The kept items of Decisions `id` are in the store: their WAL records
  // may go.
  void Release(uint64_t id);
  // WAL records from this lsn on must be kept (rule 1 above).
  uint64_t OldestNeededLsn() const;

  // Replay (rule 2). While replaying, Hold keeps everything (no cap, no
  // cache); ApplyRecorded settles a decision record's items and returns the
  // kept ones (fold_statistics = false); FinishReplay resumes normal work.
  void StartReplay();
  store::IngestBatch ApplyRecorded(const DecisionRecord& record);
  void FinishReplay(uint64_t now_ns);

  SamplerCounts counts() const;
  // Prometheus text of counts(), callpathd_sampling_* metrics.
  void RenderMetrics(std::string& out) const;

 private:
  struct TraceIdHash {
    size_t operator()(const TraceId& id) const noexcept;
  };
  using Resource = std::shared_ptr<const store::Attributes>;
  // Items of one trace with the WAL record each came from.
  struct Items {
    std::vector<store::StoredSpan> spans;
    std::vector<Resource> span_resources;
    std::vector<uint64_t> span_lsns;
    std::vector<store::StoredLog> logs;
    std::vector<Resource> log_resources;
    std::vector<uint64_t> log_lsns;
    uint64_t MinLsn() const;
    bool empty() const { return spans.empty() && logs.empty(); }
  };
  struct Held {
    uint64_t generation = 0;
    uint64_t first_seen_ns = 0, last_seen_ns = 0;
    uint64_t pinned_lsn = 0;
    Items items;
  };
  struct Pending {  // decided, to go into the next Decisions
    TraceId id;
    bool keep = false;
    uint64_t pinned_lsn = 0;
    Items items;
  };
  struct Due {  // a queue entry: the trace may be due at `at_ns`
    TraceId id;
    uint64_t generation;
    uint64_t at_ns;
  };

  void Pin(uint64_t lsn);
  void Unpin(uint64_t lsn);
  // Runs the policies and moves the trace to pending_.
  void DecideHeld(std::unordered_map<TraceId, Held, TraceIdHash>::iterator it, uint64_t now_ns);
  void Remember(const TraceId& id, bool keep);
  Pending& PendingFor(const TraceId& id, bool keep);
  std::optional<Decisions> Emit();

  const SamplingConfig config_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Policy>> policies_;
  std::unordered_map<TraceId, Held, TraceIdHash> held_;
  std::deque<Due> quiet_;   // by last activity: decision_wait
  std::deque<Due> oldest_;  // by first arrival: max_decision_wait and the cap
  std::vector<Pending> pending_;
  std::unordered_map<TraceId, size_t, TraceIdHash> pending_index_;
  std::unordered_map<TraceId, bool, TraceIdHash> decided_;  // recent decisions
  std::deque<TraceId> decided_order_;
  std::map<uint64_t, uint64_t> pins_;  // lsn -> count
  std::unordered_map<uint64_t, std::vector<uint64_t>> in_flight_;  // Decisions id -> pinned lsns
  uint64_t next_generation_ = 1, next_id_ = 1;
  uint64_t seen_through_ = 0;
  bool replaying_ = false;
  SamplerCounts counts_;
};

}  // namespace callpath::daemon::sampling
