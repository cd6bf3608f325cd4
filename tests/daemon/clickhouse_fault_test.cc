// callpathd writing to ClickHouse while ClickHouse goes away: ingest goes
// on being acknowledged (the ingest WAL holds it), the indexer retries, and
// once the server is back every acknowledged span is readable, each once.
// The outage lasts 30 s, as the scale-out issue asks; nothing in the daemon
// depends on its length but the WAL's size (docs/scale-out.md).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"
#include "store/clickhouse/testing/test_server.h"

namespace callpath::testing {
namespace {

using store::testing::TestClickHouse;

bool Readable(uint16_t query_port, const std::string& id, size_t spans) {
  HttpResult r = HttpCall(query_port, "GET", "/api/v1/traces/" + id);
  if (r.status != 200) return false;
  // Every span, each once.
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (parser.parse(r.body)["spans"].get_array().get(list) != simdjson::SUCCESS) return false;
  return list.size() == spans;
}

TEST(ClickHouseFault, ServerStoppedDuringSteadyIngestLosesNothingAcknowledged) {
  if (TestClickHouse::FindBinary().empty()) GTEST_SKIP() << TestClickHouse::kNotInstalled;
  auto server = TestClickHouse::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  TempDir dir;
  DaemonProcess d;
  ASSERT_TRUE(d.Start(dir.path() + "/data", {"--store", "clickhouse", "--clickhouse-url", (*server)->url(),
                                              "--clickhouse-database", "fault", "--retention-hours", "0"}))
      << d.error();

  // Steady ingest: one trace of 3 spans per request, ~20 requests a second.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acked;
  std::atomic<size_t> acked_while_down{0};
  std::atomic<bool> down{false};
  std::thread sender([&] {
    std::mt19937_64 rng(17);
    HttpCallOptions o;
    o.content_type = "application/x-protobuf";
    while (!stop.load()) {
      std::string id = RandomBytes(rng, 16);
      auto body = MakeTraceRequest(id, 3, "fault-svc", NowNs(), rng).SerializeAsString();
      if (HttpCall(d.otlp_http_port(), "POST", "/v1/traces", body, o).status == 200) {
        std::lock_guard<std::mutex> lock(mu);
        acked.push_back(Hex(id));
        if (down.load()) ++acked_while_down;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_TRUE((*server)->Stop().ok());
  down = true;
  std::this_thread::sleep_for(std::chrono::seconds(30));
  down = false;
  ASSERT_TRUE((*server)->Restart().ok());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  sender.join();

  EXPECT_GT(acked_while_down.load(), 0u) << "ingest is acknowledged while ClickHouse is down";
  // The indexer catches up by itself; every acknowledged trace is then whole.
  size_t readable = 0;
  for (int attempt = 0; attempt < 120; ++attempt) {
    readable = 0;
    for (const auto& id : acked) readable += Readable(d.query_port(), id, 3);
    if (readable == acked.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(readable, acked.size()) << "acknowledged traces missing or duplicated after the outage";
  EXPECT_EQ(d.Stop(), 0);
}

}  // namespace
}  // namespace callpath::testing
