#include "daemon/ingest/ingest_pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/convert/otlp_proto_decoder.h"
#include "otlp/wire/proto_writer.h"
#include "store/rocksdb/rocksdb_store.h"
#include "store/store.h"

namespace callpath::daemon {
namespace {

namespace otlpv1 = opentelemetry::proto;

// An ExportTraceServiceRequest with `spans` spans of one trace.
std::string TraceBody(uint8_t trace, int spans) {
  otlpv1::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("svc");
  auto* ss = rs->add_scope_spans();
  for (int i = 1; i <= spans; ++i) {
    auto* s = ss->add_spans();
    std::string tid(16, '\0'), sid(8, '\0');
    tid[15] = static_cast<char>(trace);
    sid[7] = static_cast<char>(i);
    s->set_trace_id(tid);
    s->set_span_id(sid);
    s->set_name("op");
    s->set_start_time_unix_nano(1'700'000'000'000'000'000ull + i);
    s->set_end_time_unix_nano(1'700'000'000'000'000'100ull + i);
  }
  return req.SerializeAsString();
}

TraceId Trace(uint8_t trace) {
  TraceId t;
  t.mutable_bytes()[15] = trace;
  return t;
}

std::shared_ptr<const WalAttachment> Convert(const IngestPipeline& p, const std::string& body) {
  store::IngestBatch b;
  Rejections r;
  EXPECT_TRUE(DecodeOtlpProtoTraces(body, &b, &r).ok());
  auto prepared = p.Prepare(std::move(b));
  EXPECT_TRUE(prepared.ok()) << prepared.status().ToString();
  return prepared.ok() ? std::move(prepared).value() : nullptr;
}

// A writer that holds every write until the test opens the gate.
class GatedWriter : public store::Writer {
 public:
  explicit GatedWriter(store::Writer& real) : real_(real) {}
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  Result<std::unique_ptr<store::PreparedBatch>> Prepare(store::IngestBatch b) const override {
    return real_.Prepare(std::move(b));
  }
  Result<std::unique_ptr<store::PreparedBatch>> PrepareStatistics(const store::IngestBatch& b) const override {
    return real_.PrepareStatistics(b);
  }
  Status Write(const std::vector<const store::PreparedBatch*>& b, uint64_t pos) override {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return open_; });
    return real_.Write(b, pos);
  }
  Result<uint64_t> Checkpoint() override { return real_.Checkpoint(); }
  uint64_t DurablePosition() override { return real_.DurablePosition(); }

 private:
  store::Writer& real_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class IngestPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/ingest-pipeline-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    OpenStore();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenStore() {
    store::RocksDbOptions o;
    o.path = dir_ + "/store";
    o.write_buffer_bytes = 4 << 20;
    auto s = store::OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  IngestOptions Options(uint64_t capacity = 1000) {
    IngestOptions o;
    o.capacity_items = capacity;
    o.wal.dir = dir_ + "/wal";
    // The records say they arrived 1 ns after the epoch (SubmitAndWait):
    // no timestamp window around that.
    o.limits.max_age_ns = 0;
    o.limits.max_future_ns = 0;
    return o;
  }
  std::unique_ptr<IngestPipeline> OpenPipeline(IngestOptions o) {
    auto p = IngestPipeline::Open(*store_, metrics_, o);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }
  static Status SubmitAndWait(IngestPipeline& p, const std::string& body) {
    std::promise<Status> done;
    if (!p.Submit(WalKind::kTracesProto, 1, body, Convert(p, body), [&](const Status& s) { done.set_value(s); })) {
      return ResourceExhausted("refused");
    }
    return done.get_future().get();
  }
  size_t SpansOf(uint8_t trace) {
    auto t = store_->span_reader().GetTrace(Trace(trace));
    return t.ok() ? t.value().size() : 0;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  DaemonMetrics metrics_;
};

// The indexer waits for a full write, but not while a reader waits to see
// what was acknowledged, and not when the pipeline stops.
TEST_F(IngestPipelineTest, ALingeringIndexerWritesAtOnceForAWaitingReaderAndOnStop) {
  IngestOptions o = Options();
  o.index_linger = std::chrono::hours(1);
  auto p = OpenPipeline(o);
  ASSERT_TRUE(SubmitAndWait(*p, TraceBody(1, 2)).ok());
  ASSERT_TRUE(p->WaitVisible(std::chrono::seconds(60))) << "still lingering";
  EXPECT_EQ(SpansOf(1), 2u);
  ASSERT_TRUE(SubmitAndWait(*p, TraceBody(2, 1)).ok());
  p->Stop();
  EXPECT_EQ(SpansOf(2), 1u);
  EXPECT_EQ(p->depth(), 0u);
}

TEST_F(IngestPipelineTest, AnAcknowledgedBatchIsVisibleOnceWaitVisibleReturns) {
  auto p = OpenPipeline(Options());
  ASSERT_TRUE(SubmitAndWait(*p, TraceBody(1, 3)).ok());
  ASSERT_TRUE(p->WaitVisible(std::chrono::seconds(60)));
  EXPECT_EQ(SpansOf(1), 3u);
  EXPECT_EQ(metrics_.spans.stored.load(), 3u);
  p->Stop();
  EXPECT_EQ(p->depth(), 0u);
}

TEST_F(IngestPipelineTest, AFullBacklogRefusesAndRecovers) {
  auto* real = &store_->writer();
  ASSERT_NE(real, nullptr);
  GatedWriter gated(*real);
  auto opened = IngestPipeline::Open(gated, metrics_, Options(/*capacity=*/3));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& p = *opened.value();
  std::atomic<int> ok{0};
  auto count = [&](const Status& s) { ok += s.ok(); };
  std::string two = TraceBody(2, 2), one = TraceBody(3, 1), more = TraceBody(4, 1);
  ASSERT_TRUE(p.Submit(WalKind::kTracesProto, 1, two, Convert(p, two), count));
  ASSERT_TRUE(p.Submit(WalKind::kTracesProto, 1, one, Convert(p, one), count));  // 3 of 3
  EXPECT_FALSE(p.Submit(WalKind::kTracesProto, 1, more, Convert(p, more), count)) << "over capacity";
  EXPECT_EQ(p.depth(), 3u);
  gated.Open();
  ASSERT_TRUE(p.WaitVisible(std::chrono::seconds(60)));
  EXPECT_EQ(p.depth(), 0u);
  EXPECT_TRUE(p.Submit(WalKind::kTracesProto, 1, more, Convert(p, more), count)) << "drained: accepts again";
  p.Stop();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_FALSE(p.Submit(WalKind::kTracesProto, 1, more, Convert(p, more), count)) << "stopped pipelines refuse";
  EXPECT_EQ(SpansOf(2), 2u);
  EXPECT_EQ(SpansOf(4), 1u);
}

TEST_F(IngestPipelineTest, ABatchLargerThanTheBacklogIsTakenWhenTheBacklogIsEmpty) {
  auto p = OpenPipeline(Options(/*capacity=*/1));
  EXPECT_TRUE(SubmitAndWait(*p, TraceBody(5, 3)).ok());
}

// Acknowledged = in the WAL. A crash before the store made the batch
// durable is simulated by logging records the store never saw; opening
// the pipeline replays them, once.
TEST_F(IngestPipelineTest, RecordsTheStoreLacksAreReplayedOnOpenAndOnlyOnce) {
  {
    WalOptions wo;
    wo.dir = dir_ + "/wal";
    auto wal = IngestWal::Open(wo, 0, [](const WalRecord&) {});
    ASSERT_TRUE(wal.ok());
    (*wal)->Start([](std::shared_ptr<WalGroup>) {});
    for (uint8_t t = 10; t < 13; ++t) {
      std::promise<Status> done;
      (*wal)->Append(WalKind::kTracesProto, 1, TraceBody(t, 4), nullptr, [&](const Status& s) { done.set_value(s); });
      ASSERT_TRUE(done.get_future().get().ok());
    }
  }
  auto p = OpenPipeline(Options());
  EXPECT_EQ(p->replayed_records(), 3u);
  for (uint8_t t = 10; t < 13; ++t) EXPECT_EQ(SpansOf(t), 4u) << int(t);
  auto summary = store_->span_reader().GetTraceSummary(Trace(10));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->span_count, 4u);
  // New batches are numbered after the replayed ones.
  ASSERT_TRUE(SubmitAndWait(*p, TraceBody(13, 2)).ok());
  p->Stop();
  p.reset();

  // The store made the replay and the new batch durable: nothing is
  // replayed again, so nothing is counted twice.
  store_.reset();
  OpenStore();
  p = OpenPipeline(Options());
  EXPECT_EQ(p->replayed_records(), 0u);
  summary = store_->span_reader().GetTraceSummary(Trace(10));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->span_count, 4u);
  EXPECT_EQ(SpansOf(13), 2u);
}

TEST_F(IngestPipelineTest, ACheckpointDeletesTheWalItCovers) {
  IngestOptions o = Options();
  o.wal.segment_bytes = 1;       // a segment per group
  o.checkpoint_wal_bytes = 1;    // checkpoint as soon as one is closed
  auto p = OpenPipeline(o);
  for (uint8_t t = 20; t < 30; ++t) ASSERT_TRUE(SubmitAndWait(*p, TraceBody(t, 1)).ok());
  // The checkpointer runs about once a second; wait for it to catch up.
  auto count = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/wal")) n += e.is_regular_file();
    return n;
  };
  for (int i = 0; i < 600 && count() > 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(count(), 1u) << "covered segments are deleted; the open one stays";
  p->Stop();
  for (uint8_t t = 20; t < 30; ++t) EXPECT_EQ(SpansOf(t), 1u);
}

}  // namespace
}  // namespace callpath::daemon
