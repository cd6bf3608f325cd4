#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "callpath/log.h"

namespace callpath::log {
namespace {

// A sink whose Write can be held shut, to stall the background thread.
class GateSink final : public Sink {
 public:
  void WaitUntilBlocked() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return blocked_; });
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> l(mu_);
    return messages_;
  }
  uint64_t reported_drops() {
    std::lock_guard<std::mutex> l(mu_);
    return reported_drops_;
  }

 protected:
  void Encode(const Record& r, Buffer& batch) override {
    std::lock_guard<std::mutex> l(mu_);
    messages_.emplace_back(r.message);
    if (r.message == "log records dropped") {
      for (const FieldView& f : r.fields) {
        if (f.key() == "dropped") reported_drops_ += f.uint_value();
      }
    }
    batch.Append('.');
  }
  void Write(std::string_view, size_t) override {
    std::unique_lock<std::mutex> l(mu_);
    blocked_ = true;
    cv_.notify_all();
    cv_.wait(l, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  bool open_ = false;
  std::vector<std::string> messages_;
  uint64_t reported_drops_ = 0;
};

TEST(Overflow, AFullQueueDropsAndCounts) {
  auto gate = std::make_shared<GateSink>();
  Options o;
  o.sinks = {gate};
  o.crash_handlers = false;
  o.queue_bytes_per_thread = 4096;
  o.overflow = Overflow::kDrop;
  ASSERT_TRUE(Init(o).ok());
  Stats before = GetStats();

  constexpr int kRecords = 1000;
  // Logged from a fresh thread so the ring is created with the small size.
  std::thread producer([&] {
    Logger log;
    log.info("first");
    gate->WaitUntilBlocked();  // background thread is stuck in Write
    for (int i = 0; i < kRecords; ++i) log.info("burst", {"i", i});
  });
  producer.join();
  Stats during = GetStats();
  uint64_t dropped = during.dropped - before.dropped;
  uint64_t enqueued = during.enqueued - before.enqueued;
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(enqueued + dropped, static_cast<uint64_t>(kRecords + 1));

  gate->Open();
  Flush();
  auto messages = gate->messages();
  size_t bursts = 0;
  for (const auto& m : messages) bursts += m == "burst";
  EXPECT_EQ(bursts + 1, enqueued);
  // The drop notice tells the sinks (plus any drop earlier tests left
  // unreported).
  EXPECT_GE(gate->reported_drops(), dropped);
  EXPECT_LE(gate->reported_drops(), dropped + before.dropped);
  Shutdown();
}

TEST(Overflow, RecordsAfterShutdownAreCountedAsDropped) {
  Options o;
  o.sinks = {std::make_shared<GateSink>()};
  o.crash_handlers = false;
  ASSERT_TRUE(Init(o).ok());
  Shutdown();
  Stats before = GetStats();
  Logger log;
  log.info("into the void");
  EXPECT_EQ(GetStats().dropped, before.dropped + 1);
}

}  // namespace
}  // namespace callpath::log
