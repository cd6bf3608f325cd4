#include "daemon/sampling/tail_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "daemon/sampling/sampling_test_support.h"

namespace callpath::daemon::sampling {
namespace {

using namespace testing;

// Holds `spans` and `logs` as WAL record `lsn` at `now`.
void HoldItems(TailSampler& s, uint64_t lsn, uint64_t now, std::vector<store::StoredSpan> spans,
               std::vector<store::StoredLog> logs = {}) {
  s.Hold(lsn, store::MakeIngestBatch(std::move(spans), std::move(logs)), now);
}

bool Decided(const std::optional<Decisions>& d, uint32_t trace, bool kept) {
  if (!d) return false;
  for (const auto& [id, k] : d->record.traces)
    if (id == Tid(trace)) return k == kept;
  return false;
}

TEST(TailSamplerTest, ATraceIsDecidedOnceQuietForTheDecisionWait) {
  TailSampler s(Config({Errors()}, 100 * kMs));
  HoldItems(s, 1, kT0, {Span(1, 1, 0, "api", kT0, kMs)});
  HoldItems(s, 2, kT0 + 80 * kMs, {Span(1, 2, 1, "db", kT0, kMs, store::SpanStatus::kError)});
  EXPECT_FALSE(s.Decide(kT0 + 150 * kMs)) << "the second span restarted the wait";
  std::optional<Decisions> d = s.Decide(kT0 + 180 * kMs);
  ASSERT_TRUE(d);
  EXPECT_TRUE(Decided(d, 1, true));
  EXPECT_EQ(d->kept.spans.size(), 2u) << "kept whole";
  EXPECT_FALSE(d->kept.fold_statistics) << "counted when they arrived";
  EXPECT_EQ(d->record.covered_through_lsn, 2u);
  EXPECT_EQ(s.counts().held_traces, 0u);
}

TEST(TailSamplerTest, ATraceThatNeverGoesQuietIsDecidedAtTheMaxWait) {
  SamplingConfig c = Config({Errors()}, 100 * kMs);
  c.max_decision_wait_ns = 500 * kMs;
  TailSampler s(c);
  uint64_t lsn = 0;
  for (uint64_t t = 0; t < 500 * kMs; t += 50 * kMs) {
    HoldItems(s, ++lsn, kT0 + t, {Span(1, static_cast<uint8_t>(lsn), 0, "api", kT0 + t, kMs)});
    EXPECT_FALSE(s.Decide(kT0 + t));
  }
  std::optional<Decisions> d = s.Decide(kT0 + 500 * kMs);
  ASSERT_TRUE(d);
  EXPECT_TRUE(Decided(d, 1, false));
  EXPECT_EQ(s.counts().decided_at_max_wait, 1u);
}

TEST(TailSamplerTest, AtTheCapTheOldestTraceIsDecidedEarlyAndCounted) {
  SamplingConfig c = Config({Errors()});
  c.max_traces = 3;
  TailSampler s(c);
  for (uint32_t t = 1; t <= 5; ++t) {
    HoldItems(s, t, kT0 + t * kMs, {Span(t, 1, 0, "api", kT0, kMs, store::SpanStatus::kError)});
  }
  EXPECT_EQ(s.counts().held_traces, 3u);
  EXPECT_EQ(s.counts().decided_at_cap, 2u);
  std::optional<Decisions> d = s.Decide(kT0 + 10 * kMs);  // nothing quiet yet: only the early ones
  ASSERT_TRUE(d);
  ASSERT_EQ(d->record.traces.size(), 2u);
  EXPECT_TRUE(Decided(d, 1, true));
  EXPECT_TRUE(Decided(d, 2, true));
}

TEST(TailSamplerTest, LateSpansAndLogsFollowTheDecisionAlreadyMade) {
  TailSampler s(Config({Errors()}));
  HoldItems(s, 1, kT0, {Span(1, 1, 0, "api", kT0, kMs, store::SpanStatus::kError)});
  HoldItems(s, 2, kT0, {Span(2, 1, 0, "api", kT0, kMs)});
  std::optional<Decisions> first = s.Decide(kT0 + kSec);
  ASSERT_TRUE(first);
  EXPECT_TRUE(Decided(first, 1, true));
  EXPECT_TRUE(Decided(first, 2, false));

  HoldItems(s, 3, kT0 + 2 * kSec, {Span(1, 2, 1, "db", kT0, kMs), Span(2, 2, 1, "db", kT0, kMs)},
            {Log(1, "db", kT0, "late log"), Log(2, "db", kT0, "late log")});
  EXPECT_EQ(s.counts().held_traces, 0u) << "late items are not held again";
  std::optional<Decisions> late = s.Decide(kT0 + 2 * kSec);  // at once: no wait for late items
  ASSERT_TRUE(late);
  EXPECT_TRUE(Decided(late, 1, true));
  EXPECT_TRUE(Decided(late, 2, false));
  EXPECT_EQ(KeptSpanTraces(late), std::vector<TraceId>{Tid(1)});
  ASSERT_EQ(late->kept.logs.size(), 1u);
  EXPECT_EQ(late->kept.logs[0].trace_id, Tid(1));
  const SamplerCounts c = s.counts();
  EXPECT_EQ(c.late_spans_sampled, 1u);
  EXPECT_EQ(c.late_spans_not_sampled, 1u);
  EXPECT_EQ(c.late_logs, 2u);
}

TEST(TailSamplerTest, AForgottenDecisionMakesALateSpanANewTrace) {
  SamplingConfig c = Config({Errors()});
  c.decision_cache = 1;
  TailSampler s(c);
  HoldItems(s, 1, kT0, {Span(1, 1, 0, "api", kT0, kMs, store::SpanStatus::kError)});
  HoldItems(s, 2, kT0, {Span(2, 1, 0, "api", kT0, kMs)});
  ASSERT_TRUE(s.Decide(kT0 + kSec));
  EXPECT_EQ(s.counts().cache_evictions, 1u);
  HoldItems(s, 3, kT0 + kSec, {Span(1, 2, 1, "db", kT0, kMs)});
  EXPECT_EQ(s.counts().held_traces, 1u);
}

TEST(TailSamplerTest, LogsHeldWithTheirTraceAreKeptOrDroppedWithIt) {
  TailSampler s(Config({Errors()}));
  HoldItems(s, 1, kT0, {Span(1, 1, 0, "api", kT0, kMs, store::SpanStatus::kError), Span(2, 1, 0, "api", kT0, kMs)},
            {Log(1, "api", kT0, "charge failed"), Log(2, "api", kT0, "all good")});
  std::optional<Decisions> d = s.Decide(kT0 + kSec);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->kept.logs.size(), 1u);
  EXPECT_EQ(d->kept.logs[0].body.text, "charge failed");
  EXPECT_EQ(d->kept.resources[d->kept.log_resource[0]][0].value.text, "api");
  EXPECT_EQ(s.counts().logs_not_sampled, 1u);
}

TEST(TailSamplerTest, SplitForSamplingLeavesLogsWithoutATraceToBeStoredAtOnce) {
  store::IngestBatch batch = store::MakeIngestBatch({Span(1, 1, 0, "api", kT0, kMs)},
                                                    {Log(1, "api", kT0, "in a trace"), Log(0, "api", kT0, "no trace")});
  store::IngestBatch traced;
  SplitForSampling(&batch, /*logs_follow_trace=*/true, &traced);
  ASSERT_EQ(batch.logs.size(), 1u);
  EXPECT_EQ(batch.logs[0].body.text, "no trace");
  EXPECT_TRUE(batch.spans.empty());
  EXPECT_EQ(traced.spans.size(), 1u);
  ASSERT_EQ(traced.logs.size(), 1u);
  EXPECT_EQ(traced.resources[traced.log_resource[0]], batch.resources[batch.log_resource[0]]);

  store::IngestBatch all_logs = store::MakeIngestBatch({Span(1, 1, 0, "api", kT0, kMs)}, {Log(1, "api", kT0, "x")});
  store::IngestBatch spans_only;
  SplitForSampling(&all_logs, /*logs_follow_trace=*/false, &spans_only);
  EXPECT_EQ(all_logs.logs.size(), 1u) << "logs do not follow: stored at once";
  EXPECT_TRUE(spans_only.logs.empty());
}

// Rule 1 of "Crashes": the WAL keeps what is held or not yet written.
TEST(TailSamplerTest, TheOldestNeededLsnCoversHeldAndUnwrittenKeptItems) {
  TailSampler s(Config({Errors()}));
  EXPECT_EQ(s.OldestNeededLsn(), 1u) << "nothing seen: everything needed";
  s.Advance(4);
  EXPECT_EQ(s.OldestNeededLsn(), 5u);
  HoldItems(s, 5, kT0, {Span(1, 1, 0, "api", kT0, kMs, store::SpanStatus::kError)});
  HoldItems(s, 6, kT0, {Span(2, 1, 0, "api", kT0, kMs)});
  HoldItems(s, 7, kT0 + kSec, {Span(3, 1, 0, "api", kT0, kMs)});
  s.Advance(9);
  EXPECT_EQ(s.OldestNeededLsn(), 5u);
  std::optional<Decisions> d = s.Decide(kT0 + 500 * kMs);  // traces 1 and 2
  ASSERT_TRUE(d);
  EXPECT_EQ(s.OldestNeededLsn(), 5u) << "trace 1 is kept but not yet written";
  s.Release(d->id);
  EXPECT_EQ(s.OldestNeededLsn(), 7u) << "trace 2 was dropped: nothing to keep for it";
  ASSERT_TRUE(s.Decide(kT0 + 2 * kSec));
  EXPECT_EQ(s.OldestNeededLsn(), 10u);
}

// Rule 2 of "Crashes": replay settles exactly what each decision covered.
TEST(TailSamplerTest, ReplaySettlesTheItemsEachDecisionCoveredAndHoldsTheRest) {
  TailSampler s(Config({Errors()}));
  s.StartReplay();
  HoldItems(s, 1, kT0, {Span(1, 1, 0, "api", kT0, kMs), Span(2, 1, 0, "api", kT0, kMs)});
  HoldItems(s, 2, kT0, {Span(1, 2, 1, "db", kT0, kMs), Span(3, 1, 0, "api", kT0, kMs)});
  HoldItems(s, 4, kT0, {Span(1, 3, 1, "db", kT0, kMs)});
  // Decided at runtime after seeing records up to 2; record 4's span of
  // trace 1 came late and is settled by a later decision (lost here).
  DecisionRecord rec;
  rec.covered_through_lsn = 2;
  rec.traces = {{Tid(1), true}, {Tid(2), false}};
  store::IngestBatch kept = s.ApplyRecorded(rec);
  EXPECT_EQ(kept.spans.size(), 2u);
  EXPECT_FALSE(kept.fold_statistics);
  for (const auto& span : kept.spans) EXPECT_EQ(span.trace_id, Tid(1));
  EXPECT_EQ(s.counts().held_traces, 2u) << "trace 3 (undecided) and trace 1's late span";
  EXPECT_EQ(s.OldestNeededLsn(), 2u);

  s.FinishReplay(kT0 + 10 * kSec);
  // Trace 1's late span follows its decision at once; trace 3 waits anew.
  std::optional<Decisions> d = s.Decide(kT0 + 10 * kSec);
  ASSERT_TRUE(d);
  EXPECT_TRUE(Decided(d, 1, true));
  EXPECT_EQ(d->kept.spans.size(), 1u);
  EXPECT_EQ(s.counts().held_traces, 1u);
  std::optional<Decisions> later = s.Decide(kT0 + 11 * kSec);
  ASSERT_TRUE(later);
  EXPECT_TRUE(Decided(later, 3, false));
}

TEST(TailSamplerTest, DecisionRecordsRoundTripAndRejectABadSize) {
  DecisionRecord rec;
  rec.covered_through_lsn = 123456789;
  rec.traces = {{Tid(1), true}, {Tid(2), false}};
  const std::string body = EncodeDecisionRecord(rec);
  Result<DecisionRecord> back = DecodeDecisionRecord(body);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->covered_through_lsn, rec.covered_through_lsn);
  EXPECT_EQ(back->traces, rec.traces);
  EXPECT_FALSE(DecodeDecisionRecord(body.substr(0, body.size() - 1)).ok());
  EXPECT_FALSE(DecodeDecisionRecord("").ok());
}

TEST(TailSamplerTest, EveryDecisionIsCountedPerPolicyInTheMetrics) {
  TailSampler s(Config({Errors(), SlowerThan(100 * kMs)}));
  HoldItems(s, 1, kT0, {Span(1, 1, 0, "api", kT0, kMs, store::SpanStatus::kError)});
  HoldItems(s, 1, kT0, {Span(2, 1, 0, "api", kT0, 200 * kMs)});
  HoldItems(s, 1, kT0, {Span(3, 1, 0, "api", kT0, kMs)});
  ASSERT_TRUE(s.Decide(kT0 + kSec));
  std::string text;
  s.RenderMetrics(text);
  EXPECT_NE(text.find("callpathd_sampling_traces_total{decision=\"sampled\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("callpathd_sampling_traces_total{decision=\"not_sampled\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("callpathd_sampling_policy_decisions_total{policy=\"errors\",decision=\"sampled\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("callpathd_sampling_policy_decisions_total{policy=\"slow\",decision=\"not_sampled\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("callpathd_sampling_early_decisions_total{reason=\"cap\"} 0\n"), std::string::npos);
}

// The must-show, at the sampler: among 100k traces, 5 % with an
// error and 1 % slow, every error and slow trace is kept whole and the
// configured share (10 %) of the rest.
TEST(TailSamplerTest, KeepsEveryErrorAndSlowTraceWholeAndTheShareOfTheRest) {
  SamplingConfig c = Config({Errors(), SlowerThan(500 * kMs), Percent(10)}, 100 * kMs);
  c.max_traces = 200'000;
  TailSampler s(c);
  constexpr uint32_t kTraces = 100'000;
  std::set<uint32_t> errors, slow;
  std::map<uint32_t, size_t> spans_kept;
  uint64_t now = kT0, lsn = 0;
  size_t spans_per_trace = 0;
  auto collect = [&](const std::optional<Decisions>& d) {
    if (!d) return;
    for (const auto& span : d->kept.spans) {
      uint32_t n;
      std::memcpy(&n, span.trace_id.bytes().data() + 8, 4);
      ++spans_kept[n];
    }
  };
  // 1000 traces a millisecond of the fake clock, each in two records: the
  // root with the first child, then the rest 20 ms later.
  for (uint32_t base = 0; base < kTraces; base += 1000) {
    std::vector<store::StoredSpan> first, second;
    for (uint32_t t = base + 1; t <= base + 1000; ++t) {
      const bool is_error = t % 20 == 0;        // 5 %
      const bool is_slow = t % 100 == 7;        // 1 %
      if (is_error) errors.insert(t);
      if (is_slow) slow.insert(t);
      const uint64_t dur = is_slow ? 800 * kMs : 30 * kMs;
      first.push_back(Span(t, 1, 0, "api", now, dur));
      first.push_back(Span(t, 2, 1, "cart", now + kMs, 10 * kMs));
      second.push_back(Span(t, 3, 1, "db", now + 2 * kMs, 5 * kMs));
      second.push_back(Span(t, 4, 3, "payment", now + 3 * kMs, dur - 3 * kMs,
                            is_error ? store::SpanStatus::kError : store::SpanStatus::kUnset));
    }
    spans_per_trace = 4;
    HoldItems(s, ++lsn, now, std::move(first));
    HoldItems(s, ++lsn, now + 20 * kMs, std::move(second));
    now += kMs;
    collect(s.Decide(now));
  }
  collect(s.Decide(now + kSec));
  EXPECT_EQ(s.counts().held_traces, 0u);
  EXPECT_EQ(s.counts().decided_at_cap, 0u);

  for (uint32_t t : errors) ASSERT_EQ(spans_kept[t], spans_per_trace) << "error trace " << t;
  for (uint32_t t : slow) ASSERT_EQ(spans_kept[t], spans_per_trace) << "slow trace " << t;
  size_t rest = 0, rest_kept = 0;
  for (uint32_t t = 1; t <= kTraces; ++t) {
    if (errors.contains(t) || slow.contains(t)) continue;
    ++rest;
    auto it = spans_kept.find(t);
    if (it == spans_kept.end()) continue;
    EXPECT_EQ(it->second, spans_per_trace) << "a kept trace is whole";
    ++rest_kept;
  }
  // 10 % of ~94k: a binomial sd of ~92 traces; the hash gives a fixed draw.
  EXPECT_NEAR(static_cast<double>(rest_kept) / static_cast<double>(rest), 0.10, 0.005)
      << rest_kept << " of " << rest;
}

}  // namespace
}  // namespace callpath::daemon::sampling
