#include "daemon/ingest_pipeline.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>

#include "callpath/store/rocksdb_store.h"

namespace callpath::daemon {
namespace {

store::StoredSpan Span(uint8_t trace, uint8_t id) {
  store::StoredSpan s;
  s.trace_id.mutable_bytes()[15] = trace;
  s.span_id.mutable_bytes()[7] = id;
  s.service = "svc";
  s.operation = "op";
  s.start_ns = 1'700'000'000'000'000'000ull + id;
  s.duration_ns = 10;
  return s;
}

class IngestPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/ingest-pipeline-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    store::RocksDbOptions o;
    o.path = dir_;
    auto s = store::OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  DaemonMetrics metrics_;
};

TEST_F(IngestPipelineTest, DoneRunsAfterTheStoreHasTheBatch) {
  IngestPipeline p(*store_, metrics_, IngestOptions{100, 2});
  std::promise<Status> done;
  ASSERT_TRUE(p.SubmitSpans({Span(1, 1), Span(1, 2)}, [&](const Status& s) { done.set_value(s); }));
  Status s = done.get_future().get();
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto trace = store_->span_reader().GetTrace(Span(1, 1).trace_id);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace.value().size(), 2u);
  EXPECT_EQ(metrics_.spans.stored.load(), 2u);
  p.Stop();
  EXPECT_EQ(p.depth(), 0u);
}

// A store whose writes wait for the test: the queue can then be seen full.
class GatedStore : public store::Store, store::SpanWriter {
 public:
  explicit GatedStore(store::Store& real) : real_(real) {}
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  Status WriteSpans(const std::vector<store::StoredSpan>& spans) override {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return open_; });
    return real_.span_writer().WriteSpans(spans);
  }
  store::SpanWriter& span_writer() override { return *this; }
  store::SpanReader& span_reader() override { return real_.span_reader(); }
  store::LogWriter& log_writer() override { return real_.log_writer(); }
  store::LogReader& log_reader() override { return real_.log_reader(); }
  Status DeleteBefore(uint64_t c) override { return real_.DeleteBefore(c); }
  store::StoreStats Stats() override { return real_.Stats(); }
  Status Close() override { return Status::Ok(); }

 private:
  store::Store& real_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST_F(IngestPipelineTest, AFullQueueRefusesAndRecovers) {
  GatedStore gated(*store_);
  IngestPipeline p(gated, metrics_, IngestOptions{3, 1});
  std::atomic<int> ok{0};
  auto count = [&](const Status& s) { ok += s.ok(); };
  ASSERT_TRUE(p.SubmitSpans({Span(2, 1), Span(2, 2)}, count));
  ASSERT_TRUE(p.SubmitSpans({Span(2, 3)}, count));          // 3 of 3
  EXPECT_FALSE(p.SubmitSpans({Span(2, 4)}, count));         // over capacity
  EXPECT_EQ(p.depth(), 3u);
  gated.Open();
  p.Stop();  // drains
  EXPECT_EQ(ok.load(), 2);
  EXPECT_EQ(p.depth(), 0u);
  EXPECT_FALSE(p.SubmitSpans({Span(2, 5)}, count)) << "stopped pipelines refuse";
  auto trace = store_->span_reader().GetTrace(Span(2, 1).trace_id);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace.value().size(), 3u);
}

TEST_F(IngestPipelineTest, ABatchLargerThanTheQueueIsTakenWhenTheQueueIsEmpty) {
  IngestPipeline p(*store_, metrics_, IngestOptions{1, 1});
  std::promise<Status> done;
  ASSERT_TRUE(p.SubmitSpans({Span(3, 1), Span(3, 2), Span(3, 3)}, [&](const Status& s) { done.set_value(s); }));
  EXPECT_TRUE(done.get_future().get().ok());
}

TEST_F(IngestPipelineTest, StoreErrorsReachTheCaller) {
  IngestPipeline p(*store_, metrics_, IngestOptions{100, 1});
  std::promise<Status> done;
  store::StoredSpan invalid = Span(4, 1);
  invalid.span_id = SpanId();  // the store refuses invalid ids
  ASSERT_TRUE(p.SubmitSpans({invalid}, [&](const Status& s) { done.set_value(s); }));
  EXPECT_FALSE(done.get_future().get().ok());
  p.Stop();
  EXPECT_EQ(metrics_.spans.failed.load(), 1u);
}

}  // namespace
}  // namespace callpath::daemon
