#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "callpath/trace.h"
#include "sdk/testing/in_memory_exporter.h"

namespace callpath {
namespace {

using testing::InMemoryExporter;

// Blocks Export until released, so a test can fill the queue deterministically.
class GatedExporter final : public SpanExporter {
 public:
  Status Export(std::span<const SpanData> batch, const Resource&) override {
    std::unique_lock<std::mutex> lock(mu);
    ++entered;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
    exported += batch.size();
    return Status();
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return entered > 0; });
  }
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int entered = 0;
  size_t exported = 0;
};

std::unique_ptr<SpanData> MakeSpan(int i) {
  auto d = std::make_unique<SpanData>();
  d->context = SpanContext(NewTraceId(), NewSpanId(), TraceFlags{0x01}, false);
  d->name = "span-" + std::to_string(i);
  return d;
}

TEST(BatchSpanProcessor, ForceFlushExportsEverythingQueued) {
  auto sink = std::make_shared<InMemoryExporter::Sink>();
  BatchSpanProcessor p(std::make_unique<InMemoryExporter>(sink), Resource{},
                       {.max_queue_size = 4096, .max_export_batch_size = 100,
                        .schedule_delay = std::chrono::hours(1)});
  for (int i = 0; i < 1000; ++i) {
    auto d = MakeSpan(i);
    p.OnEnd(d);
  }
  ASSERT_TRUE(p.ForceFlush(std::chrono::seconds(30)).ok());
  auto spans = sink->Take();
  ASSERT_EQ(spans.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(spans[i].name, "span-" + std::to_string(i));
  EXPECT_EQ(p.stats().exported, 1000u);
  EXPECT_EQ(p.stats().dropped, 0u);
}

TEST(BatchSpanProcessor, FullQueueDropsAndCountsWithoutBlocking) {
  auto* gate = new GatedExporter;
  BatchSpanProcessor p(std::unique_ptr<SpanExporter>(gate), Resource{},
                       {.max_queue_size = 8, .max_export_batch_size = 1,
                        .schedule_delay = std::chrono::milliseconds(1)});
  auto first = MakeSpan(0);
  p.OnEnd(first);
  gate->WaitEntered();  // the export thread now holds one span and is stuck
  for (int i = 1; i <= 20; ++i) {
    auto d = MakeSpan(i);
    p.OnEnd(d);
  }
  BatchSpanProcessorStats s = p.stats();
  EXPECT_EQ(s.dropped, 12u);  // 8 fit in the queue
  gate->Open();
  ASSERT_TRUE(p.ForceFlush(std::chrono::seconds(30)).ok());
  EXPECT_EQ(p.stats().exported, 9u);
}

TEST(BatchSpanProcessor, ShutdownDrainsTheQueueAndLaterSpansAreDropped) {
  auto sink = std::make_shared<InMemoryExporter::Sink>();
  BatchSpanProcessor p(std::make_unique<InMemoryExporter>(sink), Resource{},
                       {.schedule_delay = std::chrono::hours(1)});
  for (int i = 0; i < 300; ++i) {
    auto d = MakeSpan(i);
    p.OnEnd(d);
  }
  ASSERT_TRUE(p.Shutdown(std::chrono::seconds(30)).ok());
  EXPECT_EQ(sink->Take().size(), 300u);
  EXPECT_TRUE(sink->shut_down);
  auto late = MakeSpan(1);
  p.OnEnd(late);
  EXPECT_EQ(p.stats().dropped, 1u);
}

TEST(BatchSpanProcessor, FullBatchIsExportedWithoutWaitingForTheDelay) {
  auto sink = std::make_shared<InMemoryExporter::Sink>();
  BatchSpanProcessor p(std::make_unique<InMemoryExporter>(sink), Resource{},
                       {.max_queue_size = 64, .max_export_batch_size = 16,
                        .schedule_delay = std::chrono::hours(1)});
  for (int i = 0; i < 16; ++i) {
    auto d = MakeSpan(i);
    p.OnEnd(d);
  }
  for (int i = 0; i < 6000 && p.stats().exported < 16; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(p.stats().exported, 16u);
}

// An export thread with nothing to do must sleep out each delay, not spin:
// after one export and 300 ms of quiet with a 20 ms delay it has woken a
// handful of times (fewer on a busy machine), never thousands.
TEST(BatchSpanProcessor, IdleExportThreadWakesOncePerDelayNotInALoop) {
  auto sink = std::make_shared<InMemoryExporter::Sink>();
  BatchSpanProcessor p(std::make_unique<InMemoryExporter>(sink), Resource{},
                       {.schedule_delay = std::chrono::milliseconds(20)});
  auto d = MakeSpan(0);
  p.OnEnd(d);
  ASSERT_TRUE(p.ForceFlush(std::chrono::seconds(30)).ok());
  const uint64_t before = p.stats().worker_wakeups;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const uint64_t woken = p.stats().worker_wakeups - before;
  EXPECT_LE(woken, 100u);
  EXPECT_EQ(p.stats().exported, 1u);
}

TEST(BatchSpanProcessor, ManyThreadsLoseNothingWhenTheQueueIsLargeEnough) {
  auto sink = std::make_shared<InMemoryExporter::Sink>();
  BatchSpanProcessor p(std::make_unique<InMemoryExporter>(sink), Resource{},
                       {.max_queue_size = 1 << 16, .max_export_batch_size = 512,
                        .schedule_delay = std::chrono::milliseconds(5)});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        auto d = MakeSpan(i);
        p.OnEnd(d);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(p.ForceFlush(std::chrono::seconds(60)).ok());
  EXPECT_EQ(sink->Take().size() + p.stats().dropped, 40000u);
  EXPECT_EQ(p.stats().dropped, 0u);
}

// Each thread has its own queue; a thread that exits right after ending
// its spans must not take them with it.
TEST(BatchSpanProcessor, SpansOfExitedThreadsAreExported) {
  auto sink = std::make_shared<InMemoryExporter::Sink>();
  BatchSpanProcessor p(std::make_unique<InMemoryExporter>(sink), Resource{},
                       {.max_queue_size = 4096, .max_export_batch_size = 64,
                        .schedule_delay = std::chrono::hours(1)});
  for (int round = 0; round < 3; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&p, t] {
        for (int i = 0; i < 100; ++i) {
          auto d = MakeSpan(t * 1000 + i);
          p.OnEnd(d);
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE(p.ForceFlush(std::chrono::seconds(60)).ok());
    auto spans = sink->Take();
    ASSERT_EQ(spans.size(), 400u) << "round " << round;
    // Per thread, spans keep the order they ended in.
    std::vector<int> last(4, -1);
    for (const SpanData& s : spans) {
      const int v = std::stoi(s.name.substr(5));
      ASSERT_GT(v % 1000, last[v / 1000]);
      last[v / 1000] = v % 1000;
    }
  }
  const BatchSpanProcessorStats s = p.stats();
  EXPECT_EQ(s.enqueued, 1200u);
  EXPECT_EQ(s.exported, 1200u);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.queue_depth, 0u);
}

// Queues are per thread: one thread filling its own does not make another
// thread drop.
TEST(BatchSpanProcessor, AFullQueueOnOneThreadDoesNotDropAnotherThreadsSpans) {
  auto* gate = new GatedExporter;
  BatchSpanProcessor p(std::unique_ptr<SpanExporter>(gate), Resource{},
                       {.max_queue_size = 8, .max_export_batch_size = 1,
                        .schedule_delay = std::chrono::milliseconds(1)});
  auto first = MakeSpan(0);
  p.OnEnd(first);
  gate->WaitEntered();
  for (int i = 1; i <= 20; ++i) {
    auto d = MakeSpan(i);
    p.OnEnd(d);
  }
  EXPECT_EQ(p.stats().dropped, 12u);
  std::thread other([&] {
    for (int i = 0; i < 8; ++i) {
      auto d = MakeSpan(100 + i);
      p.OnEnd(d);
    }
  });
  other.join();
  EXPECT_EQ(p.stats().dropped, 12u);
  gate->Open();
  ASSERT_TRUE(p.ForceFlush(std::chrono::seconds(30)).ok());
  EXPECT_EQ(p.stats().exported, 17u);
}

// Spans that cannot be copied compactly (events, links, arrays) are handed
// over whole and arrive intact, mixed in order with the others.
TEST(BatchSpanProcessor, SpansWithEventsLinksAndArraysArriveIntact) {
  auto sink = std::make_shared<InMemoryExporter::Sink>();
  BatchSpanProcessor p(std::make_unique<InMemoryExporter>(sink), Resource{},
                       {.schedule_delay = std::chrono::hours(1)});
  for (int i = 0; i < 10; ++i) {
    auto d = MakeSpan(i);
    if (i % 2 == 1) {
      d->events.push_back({.time_unix_nano = 7, .name = "e" + std::to_string(i)});
      d->attributes.push_back({"arr", std::vector<int64_t>{i, i}});
    }
    p.OnEnd(d);
  }
  ASSERT_TRUE(p.ForceFlush(std::chrono::seconds(30)).ok());
  auto spans = sink->Take();
  ASSERT_EQ(spans.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(spans[i].name, "span-" + std::to_string(i));
    if (i % 2 == 1) {
      ASSERT_EQ(spans[i].events.size(), 1u);
      EXPECT_EQ(spans[i].events[0].name, "e" + std::to_string(i));
      ASSERT_EQ(spans[i].attributes.size(), 1u);
      EXPECT_EQ(spans[i].attributes[0].value, AttributeValue(std::vector<int64_t>{i, i}));
    } else {
      EXPECT_TRUE(spans[i].events.empty());
      EXPECT_TRUE(spans[i].attributes.empty());
    }
  }
}

TEST(BatchSpanProcessor, UnsampledRecordedSpansAreNotExported) {
  auto sink = std::make_shared<InMemoryExporter::Sink>();
  BatchSpanProcessor p(std::make_unique<InMemoryExporter>(sink), Resource{});
  auto d = MakeSpan(0);
  d->context = SpanContext(NewTraceId(), NewSpanId(), TraceFlags{0x00}, false);
  p.OnEnd(d);
  ASSERT_TRUE(p.ForceFlush(std::chrono::seconds(30)).ok());
  EXPECT_TRUE(sink->Take().empty());
}

}  // namespace
}  // namespace callpath
