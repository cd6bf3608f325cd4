#include "daemon/sampling/tail_sampler.h"

#include <algorithm>
#include <cstring>

#include "daemon/metrics.h"

namespace callpath::daemon::sampling {

namespace {

// Index of `attrs` in `resources`, by pointer (a decision batch gathers
// items that share few resources).
uint32_t ResourceIndex(const std::shared_ptr<const store::Attributes>& attrs, store::IngestBatch* out,
                       std::unordered_map<const store::Attributes*, uint32_t>* index) {
  static const store::Attributes kNone;
  const store::Attributes* key = attrs ? attrs.get() : &kNone;
  auto [it, fresh] = index->try_emplace(key, static_cast<uint32_t>(out->resources.size()));
  if (fresh) out->resources.push_back(*key);
  return it->second;
}

}  // namespace

void SplitForSampling(store::IngestBatch* batch, bool logs_follow_trace, store::IngestBatch* traced) {
  std::vector<int64_t> moved(batch->resources.size(), -1);  // index in `traced`
  auto resource_in_traced = [&](uint32_t r) {
    if (moved[r] < 0) {
      moved[r] = static_cast<int64_t>(traced->resources.size());
      traced->resources.push_back(batch->resources[r]);
    }
    return static_cast<uint32_t>(moved[r]);
  };
  for (size_t i = 0; i < batch->spans.size(); ++i) {
    traced->span_resource.push_back(resource_in_traced(batch->span_resource[i]));
    traced->spans.push_back(std::move(batch->spans[i]));
  }
  batch->spans.clear();
  batch->span_resource.clear();
  if (logs_follow_trace) {
    size_t kept = 0;
    for (size_t i = 0; i < batch->logs.size(); ++i) {
      if (batch->logs[i].trace_id.IsValid()) {
        traced->log_resource.push_back(resource_in_traced(batch->log_resource[i]));
        traced->logs.push_back(std::move(batch->logs[i]));
      } else {
        if (kept != i) {
          batch->logs[kept] = std::move(batch->logs[i]);
          batch->log_resource[kept] = batch->log_resource[i];
        }
        ++kept;
      }
    }
    batch->logs.resize(kept);
    batch->log_resource.resize(kept);
  }
}

size_t TailSampler::TraceIdHash::operator()(const TraceId& id) const noexcept {
  uint64_t w;
  std::memcpy(&w, id.bytes().data() + 8, 8);
  return static_cast<size_t>(w * 0x9e3779b97f4a7c15ull);
}

uint64_t TailSampler::Items::MinLsn() const {
  uint64_t m = UINT64_MAX;
  for (uint64_t l : span_lsns) m = std::min(m, l);
  for (uint64_t l : log_lsns) m = std::min(m, l);
  return m;
}

TailSampler::TailSampler(SamplingConfig config) : config_(std::move(config)) {
  for (const PolicyConfig& p : config_.policies) {
    policies_.push_back(MakePolicy(p));
    counts_.policy_names.push_back(p.name);
  }
  counts_.policy_sampled.assign(policies_.size(), 0);
  counts_.policy_not_sampled.assign(policies_.size(), 0);
}

void TailSampler::Pin(uint64_t lsn) { ++pins_[lsn]; }

void TailSampler::Unpin(uint64_t lsn) {
  auto it = pins_.find(lsn);
  if (it != pins_.end() && --it->second == 0) pins_.erase(it);
}

uint64_t TailSampler::OldestNeededLsn() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t floor = seen_through_ + 1;
  if (!pins_.empty()) floor = std::min(floor, pins_.begin()->first);
  return floor;
}

void TailSampler::Advance(uint64_t lsn) {
  std::lock_guard<std::mutex> lock(mu_);
  seen_through_ = std::max(seen_through_, lsn);
}

void TailSampler::Remember(const TraceId& id, bool keep) {
  if (config_.decision_cache == 0) return;
  auto [it, fresh] = decided_.try_emplace(id, keep);
  it->second = keep;
  if (!fresh) return;
  decided_order_.push_back(id);
  while (decided_order_.size() > config_.decision_cache) {
    decided_.erase(decided_order_.front());
    decided_order_.pop_front();
    ++counts_.cache_evictions;
  }
}

TailSampler::Pending& TailSampler::PendingFor(const TraceId& id, bool keep) {
  auto [it, fresh] = pending_index_.try_emplace(id, pending_.size());
  if (fresh) {
    Pending& p = pending_.emplace_back();
    p.id = id;
    p.keep = keep;
  }
  return pending_[it->second];
}

void TailSampler::DecideHeld(std::unordered_map<TraceId, Held, TraceIdHash>::iterator it, uint64_t now_ns) {
  Held& h = it->second;
  const TraceView view{it->first, &h.items.spans, &h.items.span_resources};
  bool keep = false;
  for (size_t i = 0; i < policies_.size(); ++i) {
    const bool yes = policies_[i]->Sample(view, now_ns);
    ++(yes ? counts_.policy_sampled : counts_.policy_not_sampled)[i];
    keep = keep || yes;
  }
  ++(keep ? counts_.traces_sampled : counts_.traces_not_sampled);
  counts_.held_spans -= h.items.spans.size();
  counts_.held_logs -= h.items.logs.size();
  Remember(it->first, keep);
  Pending& p = PendingFor(it->first, keep);
  p.keep = keep;
  // A trace decided at the cap may already have late items pending: the
  // held ones go first (they came first).
  Items late = std::move(p.items);
  p.items = std::move(h.items);
  auto append = [](auto& to, auto& from) { to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end())); };
  append(p.items.spans, late.spans);
  append(p.items.span_resources, late.span_resources);
  append(p.items.span_lsns, late.span_lsns);
  append(p.items.logs, late.logs);
  append(p.items.log_resources, late.log_resources);
  append(p.items.log_lsns, late.log_lsns);
  // The pin moves with the items; of two, the older one covers both.
  if (p.pinned_lsn != 0 && p.pinned_lsn <= h.pinned_lsn) {
    Unpin(h.pinned_lsn);
  } else {
    if (p.pinned_lsn != 0) Unpin(p.pinned_lsn);
    p.pinned_lsn = h.pinned_lsn;
  }
  held_.erase(it);
}

void TailSampler::Hold(uint64_t lsn, store::IngestBatch items, uint64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  seen_through_ = std::max(seen_through_, lsn);
  std::vector<Resource> resources;
  resources.reserve(items.resources.size());
  for (auto& r : items.resources) resources.push_back(std::make_shared<const store::Attributes>(std::move(r)));

  // Where an item of trace `id` goes: a held trace (new ones may make room
  // by deciding the oldest), or the pending decision of a decided one.
  auto target = [&](const TraceId& id, bool is_span) -> Items* {
    if (!replaying_) {
      if (auto d = decided_.find(id); d != decided_.end() && !held_.contains(id)) {
        if (is_span) ++(d->second ? counts_.late_spans_sampled : counts_.late_spans_not_sampled);
        else ++counts_.late_logs;
        Pending& p = PendingFor(id, d->second);
        if (p.pinned_lsn == 0) {
          p.pinned_lsn = lsn;
          Pin(lsn);
        }
        return &p.items;
      }
    }
    auto it = held_.find(id);
    if (it == held_.end()) {
      while (!replaying_ && held_.size() >= config_.max_traces && !oldest_.empty()) {
        const Due due = oldest_.front();
        oldest_.pop_front();
        auto victim = held_.find(due.id);
        if (victim == held_.end() || victim->second.generation != due.generation) continue;
        ++counts_.decided_at_cap;
        DecideHeld(victim, now_ns);
      }
      it = held_.try_emplace(id).first;
      Held& h = it->second;
      h.generation = next_generation_++;
      h.first_seen_ns = now_ns;
      h.pinned_lsn = lsn;
      Pin(lsn);
      oldest_.push_back({id, h.generation, now_ns});
    }
    Held& h = it->second;
    if (h.last_seen_ns != now_ns) quiet_.push_back({id, h.generation, now_ns});
    h.last_seen_ns = now_ns;
    (is_span ? counts_.held_spans : counts_.held_logs) += 1;
    return &h.items;
  };
  for (size_t i = 0; i < items.spans.size(); ++i) {
    Items* to = target(items.spans[i].trace_id, true);
    to->spans.push_back(std::move(items.spans[i]));
    to->span_resources.push_back(resources[items.span_resource[i]]);
    to->span_lsns.push_back(lsn);
  }
  for (size_t i = 0; i < items.logs.size(); ++i) {
    Items* to = target(items.logs[i].trace_id, false);
    to->logs.push_back(std::move(items.logs[i]));
    to->log_resources.push_back(resources[items.log_resource[i]]);
    to->log_lsns.push_back(lsn);
  }
}

std::optional<Decisions> TailSampler::Decide(uint64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (replaying_) return std::nullopt;
  while (!quiet_.empty() && quiet_.front().at_ns + config_.decision_wait_ns <= now_ns) {
    const Due due = quiet_.front();
    quiet_.pop_front();
    auto it = held_.find(due.id);
    if (it == held_.end() || it->second.generation != due.generation) continue;
    if (it->second.last_seen_ns + config_.decision_wait_ns > now_ns) continue;  // a later entry follows
    DecideHeld(it, now_ns);
  }
  while (!oldest_.empty() && oldest_.front().at_ns + config_.max_decision_wait_ns <= now_ns) {
    const Due due = oldest_.front();
    oldest_.pop_front();
    auto it = held_.find(due.id);
    if (it == held_.end() || it->second.generation != due.generation) continue;
    ++counts_.decided_at_max_wait;
    DecideHeld(it, now_ns);
  }
  return Emit();
}

std::optional<Decisions> TailSampler::DecideAll(uint64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  while (!held_.empty()) DecideHeld(held_.begin(), now_ns);
  quiet_.clear();
  oldest_.clear();
  return Emit();
}

std::optional<Decisions> TailSampler::Emit() {
  if (pending_.empty()) return std::nullopt;
  Decisions d;
  d.id = next_id_++;
  d.record.covered_through_lsn = seen_through_;
  d.kept.fold_statistics = false;
  std::unordered_map<const store::Attributes*, uint32_t> index;
  std::vector<uint64_t>& pins = in_flight_[d.id];
  for (Pending& p : pending_) {
    d.record.traces.emplace_back(p.id, p.keep);
    (p.keep ? counts_.spans_sampled : counts_.spans_not_sampled) += p.items.spans.size();
    (p.keep ? counts_.logs_sampled : counts_.logs_not_sampled) += p.items.logs.size();
    if (!p.keep) {
      // Nothing to write: a crash before the record is durable at worst
      // holds these items again, and they are dropped again.
      if (p.pinned_lsn != 0) Unpin(p.pinned_lsn);
      continue;
    }
    if (p.pinned_lsn != 0) pins.push_back(p.pinned_lsn);
    for (size_t i = 0; i < p.items.spans.size(); ++i) {
      d.kept.span_resource.push_back(ResourceIndex(p.items.span_resources[i], &d.kept, &index));
      d.kept.spans.push_back(std::move(p.items.spans[i]));
    }
    for (size_t i = 0; i < p.items.logs.size(); ++i) {
      d.kept.log_resource.push_back(ResourceIndex(p.items.log_resources[i], &d.kept, &index));
      d.kept.logs.push_back(std::move(p.items.logs[i]));
    }
  }
  pending_.clear();
  pending_index_.clear();
  return d;
}

void TailSampler::Release(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;
  for (uint64_t lsn : it->second) Unpin(lsn);
  in_flight_.erase(it);
}

void TailSampler::StartReplay() {
  std::lock_guard<std::mutex> lock(mu_);
  replaying_ = true;
}

store::IngestBatch TailSampler::ApplyRecorded(const DecisionRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  store::IngestBatch kept;
  kept.fold_statistics = false;
  std::unordered_map<const store::Attributes*, uint32_t> index;
  const uint64_t through = record.covered_through_lsn;
  for (const auto& [id, keep] : record.traces) {
    Remember(id, keep);
    auto it = held_.find(id);
    if (it == held_.end()) continue;
    Items& items = it->second.items;
    // Items of later records stay: a later decision settles them.
    Items rest;
    for (size_t i = 0; i < items.spans.size(); ++i) {
      if (items.span_lsns[i] > through) {
        rest.spans.push_back(std::move(items.spans[i]));
        rest.span_resources.push_back(items.span_resources[i]);
        rest.span_lsns.push_back(items.span_lsns[i]);
      } else if (keep) {
        kept.span_resource.push_back(ResourceIndex(items.span_resources[i], &kept, &index));
        kept.spans.push_back(std::move(items.spans[i]));
      }
    }
    for (size_t i = 0; i < items.logs.size(); ++i) {
      if (items.log_lsns[i] > through) {
        rest.logs.push_back(std::move(items.logs[i]));
        rest.log_resources.push_back(items.log_resources[i]);
        rest.log_lsns.push_back(items.log_lsns[i]);
      } else if (keep) {
        kept.log_resource.push_back(ResourceIndex(items.log_resources[i], &kept, &index));
        kept.logs.push_back(std::move(items.logs[i]));
      }
    }
    counts_.held_spans -= items.spans.size() - rest.spans.size();
    counts_.held_logs -= items.logs.size() - rest.logs.size();
    Unpin(it->second.pinned_lsn);
    if (rest.empty()) {
      held_.erase(it);
      continue;
    }
    it->second.pinned_lsn = rest.MinLsn();
    Pin(it->second.pinned_lsn);
    items = std::move(rest);
  }
  return kept;
}

void TailSampler::FinishReplay(uint64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  replaying_ = false;
  quiet_.clear();  // times of the replay; the held traces wait anew
  oldest_.clear();
  for (auto it = held_.begin(); it != held_.end();) {
    auto next = std::next(it);
    if (auto d = decided_.find(it->first); d != decided_.end()) {
      // Late items whose decision record was the last thing lost.
      Held& h = it->second;
      counts_.held_spans -= h.items.spans.size();
      counts_.held_logs -= h.items.logs.size();
      Pending& p = PendingFor(it->first, d->second);
      p.items = std::move(h.items);
      p.pinned_lsn = h.pinned_lsn;
      held_.erase(it);
    } else {
      Held& h = it->second;
      h.first_seen_ns = h.last_seen_ns = now_ns;
      quiet_.push_back({it->first, h.generation, now_ns});
      oldest_.push_back({it->first, h.generation, now_ns});
    }
    it = next;
  }
}

SamplerCounts TailSampler::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  SamplerCounts c = counts_;
  c.held_traces = held_.size();
  c.unwritten_decisions = in_flight_.size();
  return c;
}

void TailSampler::RenderMetrics(std::string& out) const { RenderSamplerMetrics(counts(), out); }

void AddCounts(const SamplerCounts& from, SamplerCounts* into) {
  SamplerCounts& c = *into;
  c.held_traces += from.held_traces;
  c.held_spans += from.held_spans;
  c.held_logs += from.held_logs;
  c.traces_sampled += from.traces_sampled;
  c.traces_not_sampled += from.traces_not_sampled;
  c.spans_sampled += from.spans_sampled;
  c.spans_not_sampled += from.spans_not_sampled;
  c.logs_sampled += from.logs_sampled;
  c.logs_not_sampled += from.logs_not_sampled;
  c.decided_at_cap += from.decided_at_cap;
  c.decided_at_max_wait += from.decided_at_max_wait;
  c.late_spans_sampled += from.late_spans_sampled;
  c.late_spans_not_sampled += from.late_spans_not_sampled;
  c.late_logs += from.late_logs;
  c.cache_evictions += from.cache_evictions;
  c.unwritten_decisions += from.unwritten_decisions;
  if (c.policy_names.empty()) {
    c.policy_names = from.policy_names;
    c.policy_sampled.assign(from.policy_names.size(), 0);
    c.policy_not_sampled.assign(from.policy_names.size(), 0);
  }
  for (size_t i = 0; i < c.policy_names.size() && i < from.policy_sampled.size(); ++i) {
    c.policy_sampled[i] += from.policy_sampled[i];
    c.policy_not_sampled[i] += from.policy_not_sampled[i];
  }
}

void RenderSamplerMetrics(const SamplerCounts& c, std::string& out) {
  auto gauge = [&](const char* name, const char* help, uint64_t v) {
    AppendMetricHeader(out, name, "gauge", help);
    AppendMetricLine(out, name, "", v);
  };
  auto pair = [&](const char* name, const char* help, uint64_t yes, uint64_t no) {
    AppendMetricHeader(out, name, "counter", help);
    AppendMetricLine(out, name, "decision=\"sampled\"", yes);
    AppendMetricLine(out, name, "decision=\"not_sampled\"", no);
  };
  gauge("callpathd_sampling_held_traces", "Traces waiting for their tail-sampling decision.", c.held_traces);
  gauge("callpathd_sampling_held_spans", "Spans of traces waiting for their decision.", c.held_spans);
  gauge("callpathd_sampling_held_logs", "Log records of traces waiting for their decision.", c.held_logs);
  pair("callpathd_sampling_traces_total", "Traces decided (kept when any policy samples them).",
       c.traces_sampled, c.traces_not_sampled);
  pair("callpathd_sampling_spans_total", "Spans kept or dropped by a decision (late ones included).",
       c.spans_sampled, c.spans_not_sampled);
  pair("callpathd_sampling_logs_total", "Log records kept or dropped with their trace.", c.logs_sampled,
       c.logs_not_sampled);
  pair("callpathd_sampling_late_spans_total", "Spans that arrived after their trace was decided and followed it.",
       c.late_spans_sampled, c.late_spans_not_sampled);
  AppendMetricHeader(out, "callpathd_sampling_policy_decisions_total", "counter",
                     "Traces each top-level policy sampled or not.");
  for (size_t i = 0; i < c.policy_names.size(); ++i) {
    std::string label = "policy=\"";
    for (char ch : c.policy_names[i]) {
      if (ch == '"' || ch == '\\') label += '\\';
      if (ch == '\n') {
        label += "\\n";
        continue;
      }
      label += ch;
    }
    label += "\"";
    AppendMetricLine(out, "callpathd_sampling_policy_decisions_total", label + ",decision=\"sampled\"",
                     c.policy_sampled[i]);
    AppendMetricLine(out, "callpathd_sampling_policy_decisions_total", label + ",decision=\"not_sampled\"",
                     c.policy_not_sampled[i]);
  }
  AppendMetricHeader(out, "callpathd_sampling_early_decisions_total", "counter",
                     "Traces decided before going quiet: the oldest when max_traces were held (reason=cap), "
                     "or held max_decision_wait (reason=max_wait).");
  AppendMetricLine(out, "callpathd_sampling_early_decisions_total", "reason=\"cap\"", c.decided_at_cap);
  AppendMetricLine(out, "callpathd_sampling_early_decisions_total", "reason=\"max_wait\"", c.decided_at_max_wait);
  AppendMetricHeader(out, "callpathd_sampling_late_logs_total", "counter",
                     "Log records that arrived after their trace was decided and followed it.");
  AppendMetricLine(out, "callpathd_sampling_late_logs_total", "", c.late_logs);
  AppendMetricHeader(out, "callpathd_sampling_decision_cache_evictions_total", "counter",
                     "Decisions forgotten to keep decision_cache entries; a later span of such a trace starts "
                     "a new one.");
  AppendMetricLine(out, "callpathd_sampling_decision_cache_evictions_total", "", c.cache_evictions);
}

}  // namespace callpath::daemon::sampling
