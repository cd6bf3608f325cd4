#include "daemon/ingest/ingest_wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

namespace callpath::daemon {
namespace {

namespace fs = std::filesystem;

struct Seen {
  uint64_t lsn;
  WalKind kind;
  uint64_t received_ns;
  std::string body;
};

class IngestWalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/ingest-wal-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  WalOptions Options(uint64_t segment_bytes = 64ull << 20) {
    WalOptions o;
    o.dir = dir_;
    o.segment_bytes = segment_bytes;
    return o;
  }

  // Opens, collecting what is replayed.
  std::unique_ptr<IngestWal> Open(uint64_t after, std::vector<Seen>* replayed, uint64_t segment_bytes = 64ull << 20) {
    auto wal = IngestWal::Open(Options(segment_bytes), after, [&](const WalRecord& r) {
      replayed->push_back({r.lsn, r.kind, r.received_ns, std::string(r.body)});
    });
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    return wal.ok() ? std::move(wal).value() : nullptr;
  }

  // Appends one record and waits until it is durable.
  static Status AppendAndWait(IngestWal& wal, WalKind kind, uint64_t t, const std::string& body) {
    std::promise<Status> p;
    wal.Append(kind, t, body, nullptr, [&](const Status& s) { p.set_value(s); });
    return p.get_future().get();
  }

  std::vector<std::string> Segments() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() == ".wal") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string dir_;
};

TEST_F(IngestWalTest, DurableRecordsComeBackInOrderAfterReopen) {
  std::vector<Seen> replayed;
  auto wal = Open(0, &replayed);
  ASSERT_TRUE(wal);
  EXPECT_TRUE(replayed.empty());
  std::vector<std::shared_ptr<WalGroup>> groups;
  wal->Start([&](std::shared_ptr<WalGroup> g) { groups.push_back(std::move(g)); });
  ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesProto, 11, "first").ok());
  ASSERT_TRUE(AppendAndWait(*wal, WalKind::kLogsJson, 22, std::string("se\0cond", 7)).ok());
  ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesJson, 33, "").ok());
  wal->Stop();
  ASSERT_EQ(groups.size(), 3u);  // one record per group: each waited for the last
  EXPECT_EQ(groups[0]->first_lsn, 1u);
  EXPECT_EQ(groups[2]->last_lsn, 3u);
  EXPECT_EQ(wal->last_lsn(), 3u);
  wal.reset();

  wal = Open(0, &replayed);
  ASSERT_TRUE(wal);
  ASSERT_EQ(replayed.size(), 3u);
  EXPECT_EQ(replayed[0].lsn, 1u);
  EXPECT_EQ(replayed[0].kind, WalKind::kTracesProto);
  EXPECT_EQ(replayed[0].received_ns, 11u);
  EXPECT_EQ(replayed[0].body, "first");
  EXPECT_EQ(replayed[1].kind, WalKind::kLogsJson);
  EXPECT_EQ(replayed[1].body, std::string("se\0cond", 7));
  EXPECT_EQ(replayed[2].lsn, 3u);
  EXPECT_EQ(replayed[2].body, "");
  EXPECT_EQ(wal->last_lsn(), 3u) << "numbering goes on after the last record";
}

TEST_F(IngestWalTest, ReplayStartsAfterTheGivenLsnAndNumberingGoesOnAboveIt) {
  std::vector<Seen> replayed;
  auto wal = Open(0, &replayed);
  wal->Start([](std::shared_ptr<WalGroup>) {});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesProto, 0, "r" + std::to_string(i)).ok());
  wal.reset();

  wal = Open(2, &replayed);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_EQ(replayed[0].lsn, 3u);
  EXPECT_EQ(replayed[1].body, "r3");
  wal.reset();

  // The store may be ahead of everything left in the log.
  replayed.clear();
  wal = Open(100, &replayed);
  EXPECT_TRUE(replayed.empty());
  EXPECT_EQ(wal->last_lsn(), 100u);
}

TEST_F(IngestWalTest, ATornTailIsCutAndTheRecordsBeforeItSurvive) {
  std::vector<Seen> replayed;
  auto wal = Open(0, &replayed);
  wal->Start([](std::shared_ptr<WalGroup>) {});
  ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesProto, 1, std::string(1000, 'a')).ok());
  ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesProto, 2, std::string(1000, 'b')).ok());
  wal.reset();
  // The crash hit in the middle of the second record.
  std::string seg = Segments().front();
  uint64_t full = fs::file_size(seg);
  fs::resize_file(seg, full - 300);

  wal = Open(0, &replayed);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].body, std::string(1000, 'a'));
  EXPECT_LT(fs::file_size(seg), full - 300) << "the torn record is cut off the file";
  // New records get the torn record's number: it was never acknowledged.
  wal->Start([](std::shared_ptr<WalGroup>) {});
  ASSERT_TRUE(AppendAndWait(*wal, WalKind::kLogsProto, 3, "after").ok());
  wal.reset();
  replayed.clear();
  wal = Open(0, &replayed);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_EQ(replayed[1].lsn, 2u);
  EXPECT_EQ(replayed[1].body, "after");
}

TEST_F(IngestWalTest, ACorruptRecordIsSkippedAndTheRecordsAfterItAreReplayed) {
  std::vector<Seen> replayed;
  auto wal = Open(0, &replayed);
  wal->Start([](std::shared_ptr<WalGroup>) {});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesProto, 0, std::string(100, 'x')).ok());
  wal.reset();
  std::string seg = Segments().front();
  const uint64_t size = fs::file_size(seg);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 * (25 + 100) - 10);  // inside the second record's payload
    f.put('y');
  }
  wal = Open(0, &replayed);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_EQ(replayed[0].lsn, 1u);
  EXPECT_EQ(replayed[1].lsn, 3u);
  EXPECT_EQ(fs::file_size(seg), size) << "a damaged segment is never cut";
  ASSERT_EQ(wal->recovery().damage.size(), 1u);
  const WalDamage& d = wal->recovery().damage[0];
  EXPECT_EQ(d.begin, 125u);
  EXPECT_EQ(d.end, 250u);
  EXPECT_EQ(d.first_lsn, 2u);
  EXPECT_EQ(d.last_lsn, 2u);
  EXPECT_EQ(d.lost, 1u);
  EXPECT_EQ(wal->last_lsn(), 3u);
}

TEST_F(IngestWalTest, DropThroughDeletesOnlyClosedSegmentsThatAreCovered) {
  std::vector<Seen> replayed;
  auto wal = Open(0, &replayed, /*segment_bytes=*/1);  // a segment per group
  wal->Start([](std::shared_ptr<WalGroup>) {});
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesProto, 0, "r" + std::to_string(i)).ok());
  ASSERT_EQ(Segments().size(), 4u);
  EXPECT_GT(wal->closed_bytes(), 0u);

  wal->DropThrough(2);
  EXPECT_EQ(Segments().size(), 2u);
  wal->DropThrough(100);  // never the segment being written
  EXPECT_EQ(Segments().size(), 1u);
  EXPECT_EQ(wal->closed_bytes(), 0u);
  wal.reset();

  wal = Open(0, &replayed);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].lsn, 4u);
}

TEST_F(IngestWalTest, AfterStopACoveringDropLeavesNothingToReplay) {
  std::vector<Seen> replayed;
  auto wal = Open(0, &replayed);
  wal->Start([](std::shared_ptr<WalGroup>) {});
  ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesProto, 0, "a").ok());
  ASSERT_TRUE(AppendAndWait(*wal, WalKind::kTracesProto, 0, "b").ok());
  wal->DropThrough(2);
  EXPECT_EQ(Segments().size(), 1u) << "the segment being written stays while running";
  wal->Stop();
  wal->DropThrough(1);
  EXPECT_EQ(Segments().size(), 1u) << "record 2 is not covered";
  wal->DropThrough(2);
  EXPECT_TRUE(Segments().empty());
  wal.reset();
  wal = Open(0, &replayed);
  EXPECT_TRUE(replayed.empty());
}

TEST_F(IngestWalTest, ConcurrentAppendsShareGroupsAndAllBecomeDurable) {
  std::vector<Seen> replayed;
  auto wal = Open(0, &replayed);
  std::atomic<uint64_t> in_groups{0};
  wal->Start([&](std::shared_ptr<WalGroup> g) { in_groups += g->last_lsn - g->first_lsn + 1; });
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) ok += AppendAndWait(*wal, WalKind::kTracesProto, t, std::string(64, 'a' + t)).ok();
    });
  }
  for (auto& t : threads) t.join();
  wal->Stop();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(in_groups.load(), 200u);
  wal.reset();
  wal = Open(0, &replayed);
  ASSERT_EQ(replayed.size(), 200u);
  for (size_t i = 0; i < replayed.size(); ++i) EXPECT_EQ(replayed[i].lsn, i + 1);
}

TEST_F(IngestWalTest, AppendAfterStopFailsAtOnce) {
  std::vector<Seen> replayed;
  auto wal = Open(0, &replayed);
  wal->Start([](std::shared_ptr<WalGroup>) {});
  wal->Stop();
  EXPECT_EQ(AppendAndWait(*wal, WalKind::kTracesProto, 0, "late").code(), StatusCode::kUnavailable);
}

TEST(ParseWalRecords, StopsAtGarbage) {
  int n = 0;
  EXPECT_EQ(ParseWalRecords(std::string(100, '\xff'), [&](const WalRecord&) { ++n; }), 0u);
  EXPECT_EQ(ParseWalRecords("", [&](const WalRecord&) { ++n; }), 0u);
  EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace callpath::daemon
