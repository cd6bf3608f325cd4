// Tail sampling inside the ingest pipeline, over the embedded store: what
// reaches the store, what the statistics count, and what survives a crash
// (daemon/sampling/tail_sampler.h, "Crashes").
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "daemon/ingest/ingest_pipeline.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/convert/otlp_proto_decoder.h"
#include "store/rocksdb/rocksdb_store.h"

namespace callpath::daemon {
namespace {

namespace otlpv1 = opentelemetry::proto;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kBase = 1'700'000'000'000'000'000ull;

TraceId Trace(uint8_t trace) {
  TraceId t;
  t.mutable_bytes()[0] = 0x5a;
  t.mutable_bytes()[15] = trace;
  return t;
}

struct SpanSpec {
  uint8_t trace, span, parent;
  bool error = false;
};

std::string TraceBody(const std::vector<SpanSpec>& spans) {
  otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("svc");
  auto* ss = rs->add_scope_spans();
  for (const SpanSpec& spec : spans) {
    auto* s = ss->add_spans();
    std::string tid(reinterpret_cast<const char*>(Trace(spec.trace).bytes().data()), 16);
    std::string sid(8, '\0'), pid(8, '\0');
    sid[0] = 1;
    sid[7] = static_cast<char>(spec.span);
    s->set_trace_id(tid);
    s->set_span_id(sid);
    if (spec.parent != 0) {
      pid[0] = 1;
      pid[7] = static_cast<char>(spec.parent);
      s->set_parent_span_id(pid);
    }
    s->set_name("op");
    s->set_start_time_unix_nano(kBase + spec.span * kMs);
    s->set_end_time_unix_nano(kBase + spec.span * kMs + kMs);
    if (spec.error) s->mutable_status()->set_code(otlpv1::trace::v1::Status::STATUS_CODE_ERROR);
  }
  return req.SerializeAsString();
}

// One log record per entry: trace 0 = outside any trace.
std::string LogBody(const std::vector<uint8_t>& traces) {
  otlpv1::collector::logs::v1::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* attr = rl->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("svc");
  auto* sl = rl->add_scope_logs();
  for (uint8_t t : traces) {
    auto* l = sl->add_log_records();
    l->set_time_unix_nano(kBase);
    l->mutable_body()->set_string_value("log of trace " + std::to_string(t));
    if (t != 0) l->set_trace_id(std::string(reinterpret_cast<const char*>(Trace(t).bytes().data()), 16));
  }
  return req.SerializeAsString();
}

class IngestSamplingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/ingest-sampling-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    pipeline_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenStore() {
    store::RocksDbOptions o;
    o.path = dir_ + "/store";
    o.write_buffer_bytes = 4 << 20;
    o.verify_tables_on_open = false;
    auto s = store::OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  // Errors kept, the rest dropped; decisions after `wait_ms` of quiet.
  IngestOptions Options(uint64_t wait_ms) {
    IngestOptions o;
    o.wal.dir = dir_ + "/wal";
    o.limits.max_age_ns = 0;
    o.limits.max_future_ns = 0;
    o.sampling.decision_wait_ns = wait_ms * kMs;
    o.sampling.max_decision_wait_ns = 1000 * wait_ms * kMs;
    sampling::PolicyConfig errors;
    errors.name = "errors";
    errors.type = sampling::PolicyType::kStatusCode;
    errors.status_codes = {store::SpanStatus::kError};
    o.sampling.policies.push_back(errors);
    o.sampling_tick = std::chrono::milliseconds(5);
    return o;
  }
  void OpenPipeline(IngestOptions o) {
    auto p = IngestPipeline::Open(*store_, metrics_, std::move(o));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    pipeline_ = std::move(p).value();
  }
  Status Submit(WalKind kind, const std::string& body) {
    store::IngestBatch b;
    Rejections r;
    Status decoded = kind == WalKind::kTracesProto ? DecodeOtlpProtoTraces(body, &b, &r) : DecodeOtlpProtoLogs(body, &b, &r);
    if (!decoded.ok()) return decoded;
    auto prepared = pipeline_->Prepare(std::move(b));
    if (!prepared.ok()) return prepared.status();
    std::promise<Status> done;
    if (!pipeline_->Submit(kind, 1, body, std::move(prepared).value(), [&](const Status& s) { done.set_value(s); })) {
      return ResourceExhausted("refused");
    }
    return done.get_future().get();
  }
  // Waits (bounded) until `n` traces have been decided, none is held and
  // every decision is written.
  bool Settled(uint64_t n) {
    const sampling::SamplerCounts c = pipeline_->sampler()->counts();
    return c.traces_sampled + c.traces_not_sampled >= n && c.held_traces == 0 && c.unwritten_decisions == 0;
  }
  void WaitDecided(uint64_t n) {
    for (int i = 0; i < 6000 && !Settled(n); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(Settled(n)) << "traces not decided";
  }
  size_t SpansOf(uint8_t trace) {
    auto t = store_->span_reader().GetTrace(Trace(trace));
    return t.ok() ? t->size() : 0;
  }
  uint64_t CallsCounted() {
    store::StatsQuery q;
    auto rows = store_->stats_reader().Operations(q);
    EXPECT_TRUE(rows.ok());
    uint64_t n = 0;
    if (rows.ok())
      for (const auto& r : *rows) n += r.calls;
    return n;
  }
  void RunUntilKilled();
  std::vector<std::string> LogBodies(uint8_t trace) {
    std::vector<std::string> out;
    auto logs = trace != 0 ? store_->log_reader().LogsForTrace(Trace(trace)) : store_->log_reader().SearchLogs({});
    EXPECT_TRUE(logs.ok());
    if (logs.ok())
      for (const auto& l : *logs) out.push_back(l.body.text);
    return out;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  DaemonMetrics metrics_;
  std::unique_ptr<IngestPipeline> pipeline_;
};

TEST_F(IngestSamplingTest, OnlyKeptTracesAreStoredButTheStatisticsCountEverySpan) {
  OpenStore();
  OpenPipeline(Options(20));
  ASSERT_TRUE(Submit(WalKind::kTracesProto, TraceBody({{1, 1, 0}, {1, 2, 1}, {2, 1, 0}, {2, 2, 1}})).ok());
  ASSERT_TRUE(Submit(WalKind::kTracesProto, TraceBody({{1, 3, 1, true}, {2, 3, 1}})).ok());
  WaitDecided(2);
  EXPECT_EQ(SpansOf(1), 3u) << "the error trace, whole";
  EXPECT_EQ(SpansOf(2), 0u);
  EXPECT_EQ(CallsCounted(), 6u) << "dropped spans count in RED metrics";
  // A late span follows the decision; it is counted once too.
  ASSERT_TRUE(Submit(WalKind::kTracesProto, TraceBody({{1, 4, 1}, {2, 4, 1}})).ok());
  for (int i = 0; i < 2000 && SpansOf(1) < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(SpansOf(1), 4u);
  EXPECT_EQ(SpansOf(2), 0u);
  EXPECT_EQ(CallsCounted(), 8u);
  EXPECT_EQ(pipeline_->sampler()->counts().late_spans_sampled, 1u);
  EXPECT_EQ(pipeline_->sampler()->counts().late_spans_not_sampled, 1u);
}

TEST_F(IngestSamplingTest, LogsFollowTheirTraceAndLogsWithoutATraceAreKept) {
  OpenStore();
  OpenPipeline(Options(20));
  ASSERT_TRUE(Submit(WalKind::kLogsProto, LogBody({1, 2, 0})).ok());
  ASSERT_TRUE(Submit(WalKind::kTracesProto, TraceBody({{1, 1, 0, true}, {2, 1, 0}})).ok());
  WaitDecided(2);
  EXPECT_EQ(LogBodies(1), std::vector<std::string>{"log of trace 1"});
  EXPECT_TRUE(LogBodies(2).empty());
  std::vector<std::string> all = LogBodies(0);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"log of trace 0", "log of trace 1"}));
}

// Run in a process of its own (a death test re-runs the binary), which
// dies as with kill -9: no destructor, no flush, no Stop.
void IngestSamplingTest::RunUntilKilled() {
  // Decisions after 200 ms of quiet; a checkpoint as soon as a segment closes.
  OpenStore();
  IngestOptions o = Options(200);
  o.wal.segment_bytes = 1;
  o.checkpoint_wal_bytes = 1;
  OpenPipeline(o);
  bool ok = Submit(WalKind::kTracesProto, TraceBody({{1, 1, 0, true}, {1, 2, 1}, {2, 1, 0}, {2, 2, 1}})).ok();
  ok = ok && Submit(WalKind::kLogsProto, LogBody({1, 2})).ok();
  // Traces 1 and 2 are decided and written ...
  for (int i = 0; ok && i < 3000 && !Settled(2); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ok = ok && Settled(2);
  // ... while traces 3 and 4 keep arriving (never quiet for 200 ms) until
  // the store holds their first records durably; then the process dies.
  uint8_t span = 1;
  ok = ok && Submit(WalKind::kTracesProto, TraceBody({{3, span, 0, true}, {4, span, 0}})).ok();
  ok = ok && Submit(WalKind::kLogsProto, LogBody({3, 4})).ok();
  ok = ok && pipeline_->WaitVisible(std::chrono::seconds(30));
  const uint64_t first_held = pipeline_->sampler()->OldestNeededLsn();
  // Until the store covers the first three records of traces 3 and 4, and
  // a few more spans (the checkpointer trims the WAL right after).
  for (int i = 0, after = 0; ok && i < 3000 && after < 5; ++i) {
    ++span;
    ok = Submit(WalKind::kTracesProto, TraceBody({{3, span, 1}, {4, span, 1}})).ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (store_->writer().DurablePosition() >= first_held + 3) ++after;
  }
  ok = ok && store_->writer().DurablePosition() >= first_held + 3 && pipeline_->sampler()->counts().held_traces == 2;
  std::ofstream(dir_ + "/spans-per-trace") << int(span);
  ::_exit(ok ? 0 : 1);
}

// kill -9 after the store has made the records of the held traces durable
// (so that without tail sampling's rule 2 replay would skip them), and
// after other traces were decided and written.
TEST_F(IngestSamplingTest, HeldTracesSurviveAKillAfterTheStoreCoveredTheirRecords) {
  // The child runs this test again up to EXPECT_EXIT: it finds the
  // parent's directory in the environment.
  if (std::getenv("CALLPATH_SAMPLING_KILL_DIR") == nullptr) ::setenv("CALLPATH_SAMPLING_KILL_DIR", dir_.c_str(), 1);
  dir_ = std::getenv("CALLPATH_SAMPLING_KILL_DIR");
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(RunUntilKilled(), ::testing::ExitedWithCode(0), "") << "the child did not get there";
  int spans = 0;
  std::ifstream(dir_ + "/spans-per-trace") >> spans;
  ASSERT_GT(spans, 1);

  OpenStore();
  OpenPipeline(Options(20));
  WaitDecided(2);
  EXPECT_EQ(SpansOf(1), 2u);
  EXPECT_EQ(SpansOf(2), 0u);
  EXPECT_EQ(SpansOf(3), static_cast<size_t>(spans)) << "held at the crash, kept whole after it";
  EXPECT_EQ(SpansOf(4), 0u);
  auto summary = store_->span_reader().GetTraceSummary(Trace(1));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->span_count, 2u) << "a kept trace is stored once";
  EXPECT_EQ(LogBodies(1), std::vector<std::string>{"log of trace 1"});
  EXPECT_EQ(LogBodies(3), std::vector<std::string>{"log of trace 3"});
  EXPECT_TRUE(LogBodies(4).empty());
  EXPECT_EQ(CallsCounted(), 4u + 2u * spans) << "every span counted once, none twice";
}

// A restart with sampling turned off keeps what the sampler still held.
TEST_F(IngestSamplingTest, HeldTracesAreKeptWhenSamplingIsTurnedOffAtRestart) {
  OpenStore();
  IngestOptions o = Options(60'000);  // nothing is decided in this test's time
  OpenPipeline(o);
  ASSERT_TRUE(Submit(WalKind::kTracesProto, TraceBody({{5, 1, 0}, {5, 2, 1}})).ok());
  ASSERT_TRUE(pipeline_->WaitVisible(std::chrono::seconds(30)));
  for (int i = 0; i < 3000 && pipeline_->sampler()->counts().held_traces == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pipeline_->Stop();
  pipeline_.reset();
  EXPECT_EQ(SpansOf(5), 0u) << "held, not stored";

  IngestOptions off = Options(20);
  off.sampling.policies.clear();
  OpenPipeline(off);
  ASSERT_NE(pipeline_->sampler(), nullptr) << "a sampler that keeps everything settles the WAL";
  for (int i = 0; i < 3000 && SpansOf(5) < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(SpansOf(5), 2u);
  EXPECT_EQ(CallsCounted(), 2u);
}

}  // namespace
}  // namespace callpath::daemon
