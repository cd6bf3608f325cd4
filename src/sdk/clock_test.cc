#include "sdk/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace callpath::detail {
namespace {

// The fast clock must agree with CLOCK_REALTIME, before and after its first
// calibration, to well within a millisecond.
TEST(FastClock, TracksTheRealtimeClock) {
  for (int round = 0; round < 30; ++round) {
    const uint64_t before = RealtimeNanos();
    const uint64_t fast = FastNowUnixNano();
    const uint64_t after = RealtimeNanos();
    EXPECT_GE(fast + 200'000, before) << "round " << round;
    EXPECT_LE(fast, after + 200'000) << "round " << round;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TEST(FastClock, IsUsableFromManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        const uint64_t before = RealtimeNanos();
        const uint64_t fast = FastNowUnixNano();
        const uint64_t after = RealtimeNanos();
        if (fast + 1'000'000 < before || fast > after + 1'000'000) bad.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace callpath::detail
