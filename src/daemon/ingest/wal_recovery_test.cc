// The ingest WAL read back after damage done on purpose: every record
// outside the damaged bytes comes back, and the loss is reported exactly.
#include "daemon/ingest/wal_recovery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "daemon/ingest/ingest_wal.h"
#include "daemon/ingest/testing/damage.h"

namespace callpath::daemon {
namespace {

namespace fs = std::filesystem;

constexpr int kRecords = 24;
constexpr uint64_t kSegmentBytes = 2000;  // about 6 records of ~300 bytes per segment

class WalDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/wal-damage-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    WriteRecords();
  }
  void TearDown() override { fs::remove_all(dir_); }

  WalOptions Options() const {
    WalOptions o;
    o.dir = dir_;
    o.segment_bytes = kSegmentBytes;
    return o;
  }

  static std::string Body(uint64_t lsn) { return std::string(250 + lsn, static_cast<char>('a' + lsn % 26)); }

  // kRecords records, one group each, over several segments; the log
  // stops without dropping anything (as after a crash).
  void WriteRecords() {
    auto wal = IngestWal::Open(Options(), 0, [](const WalRecord&) {});
    ASSERT_TRUE(wal.ok());
    (*wal)->Start([](std::shared_ptr<WalGroup>) {});
    for (uint64_t i = 1; i <= kRecords; ++i) {
      std::promise<Status> p;
      (*wal)->Append(WalKind::kTracesProto, i, Body(i), nullptr, [&](const Status& s) { p.set_value(s); });
      ASSERT_TRUE(p.get_future().get().ok());
    }
    (*wal)->Stop();
  }

  // Segment files with records, oldest first (Open leaves an empty one).
  std::vector<std::string> Segments() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() == ".wal" && fs::file_size(e.path()) > 0) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  // Reopens, checking what came back against the report: every lsn is
  // either replayed intact or inside exactly one reported range.
  struct Outcome {
    std::set<uint64_t> replayed;
    WalRecoveryReport report;
  };
  Outcome Reopen(uint64_t after = 0) {
    Outcome out;
    auto wal = IngestWal::Open(Options(), after, [&](const WalRecord& r) {
      EXPECT_EQ(r.body, Body(r.lsn)) << "lsn " << r.lsn;
      EXPECT_EQ(r.received_ns, r.lsn);
      out.replayed.insert(r.lsn);
    });
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    if (wal.ok()) out.report = (*wal)->recovery();
    return out;
  }

  static void ExpectExactLoss(const Outcome& o, uint64_t after = 0) {
    std::set<uint64_t> reported;
    for (const auto& d : o.report.damage) {
      if (d.first_lsn == 0) continue;
      uint64_t last = d.last_lsn != 0 ? d.last_lsn : kRecords;  // open-ended: to the end
      for (uint64_t l = d.first_lsn; l <= last; ++l) EXPECT_TRUE(reported.insert(l).second) << "lsn " << l << " twice";
    }
    for (uint64_t l = after + 1; l <= kRecords; ++l) {
      EXPECT_NE(o.replayed.count(l) > 0, reported.count(l) > 0)
          << "lsn " << l << " must be either replayed or reported missing";
    }
  }

  std::string dir_;
};

TEST_F(WalDamageTest, TheSetUpSpansSeveralSegments) {
  ASSERT_GE(Segments().size(), 3u);
  Outcome o = Reopen();
  EXPECT_EQ(o.replayed.size(), static_cast<size_t>(kRecords));
  EXPECT_TRUE(o.report.damage.empty());
}

// Bytes flipped at the start, in the middle and at the end of each segment.
TEST_F(WalDamageTest, FlippedBytesAnywhereLoseOnlyTheRecordsTheyHitAndAreReportedExactly) {
  const std::vector<std::string> segments = Segments();
  for (size_t s = 0; s < segments.size(); ++s) {
    const uint64_t size = fs::file_size(segments[s]);
    for (uint64_t at : {uint64_t{2}, size / 2, size - 6}) {
      SCOPED_TRACE("segment " + std::to_string(s) + " offset " + std::to_string(at));
      TearDown();
      SetUp();
      const std::string seg = Segments()[s];
      testing::FlipBytes(seg, at, at == 2 ? 4 : 6);
      Outcome o = Reopen();
      ExpectExactLoss(o);
      ASSERT_FALSE(o.report.damage.empty());
      const bool newest = s + 1 == segments.size();
      const WalDamage& d = o.report.damage.front();
      EXPECT_EQ(d.segment, fs::path(seg).filename().string());
      EXPECT_LE(d.begin, at);
      EXPECT_GE(d.end, at + 1);
      if (newest && at == size - 6) {
        // The last record of the newest segment, whole but unreadable:
        // damage, not a torn write; nothing follows to bound it.
        EXPECT_FALSE(d.torn_tail);
        EXPECT_EQ(d.last_lsn, 0u);
        EXPECT_EQ(d.first_lsn, static_cast<uint64_t>(kRecords));
      } else {
        EXPECT_EQ(d.first_lsn, d.last_lsn) << "one record hit";
        EXPECT_EQ(o.report.lost_records(), 1u);
        EXPECT_EQ(o.replayed.size(), static_cast<size_t>(kRecords - 1));
      }
      EXPECT_TRUE(o.report.damaged());
      EXPECT_EQ(fs::file_size(seg), size) << "a damaged segment is never cut";
    }
  }
}

TEST_F(WalDamageTest, ARemovedSegmentIsReportedAsTheLsnsItHeld) {
  const std::vector<std::string> segments = Segments();
  fs::remove(segments[1]);
  Outcome o = Reopen();
  ExpectExactLoss(o);
  ASSERT_EQ(o.report.damage.size(), 1u);
  const WalDamage& d = o.report.damage[0];
  EXPECT_TRUE(d.segment.empty());
  EXPECT_EQ(d.lost, d.last_lsn - d.first_lsn + 1);
  EXPECT_EQ(o.replayed.size() + d.lost, static_cast<size_t>(kRecords));
}

TEST_F(WalDamageTest, DamageToRecordsTheStoreHoldsLosesNothing) {
  const std::string oldest = Segments().front();
  testing::FlipBytes(oldest, 2, 4);
  Outcome o = Reopen(/*after=*/10);
  ASSERT_EQ(o.report.damage.size(), 1u);
  EXPECT_EQ(o.report.damage[0].first_lsn, 1u);
  EXPECT_EQ(o.report.lost_records(), 0u);
  EXPECT_EQ(o.replayed.size(), static_cast<size_t>(kRecords - 10));
}

TEST_F(WalDamageTest, ATornTailIsCutAndReportedByItsBytesNotAsDamage) {
  const std::string newest = Segments().back();
  const uint64_t size = fs::file_size(newest);
  fs::resize_file(newest, size - 100);  // the last record cut short
  Outcome o = Reopen();
  ASSERT_EQ(o.report.damage.size(), 1u);
  EXPECT_TRUE(o.report.damage[0].torn_tail);
  EXPECT_FALSE(o.report.damaged());
  EXPECT_EQ(o.report.torn_tail_bytes(), size - 100 - o.report.damage[0].begin);
  EXPECT_EQ(fs::file_size(newest), o.report.damage[0].begin) << "the torn tail is cut";
  EXPECT_EQ(o.replayed.size(), static_cast<size_t>(kRecords - 1));
  EXPECT_TRUE(fs::exists(WalQuarantineDir(dir_))) << "a copy of the cut bytes is kept";
}

TEST_F(WalDamageTest, ADamagedSegmentIsQuarantinedNotDeletedOnceCovered) {
  const std::string oldest = Segments().front();
  testing::FlipBytes(oldest, 40, 8);
  auto wal = IngestWal::Open(Options(), 0, [](const WalRecord&) {});
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE((*wal)->recovery().damaged());
  (*wal)->DropThrough(kRecords);  // the store holds everything readable
  const std::string name = fs::path(oldest).filename().string();
  EXPECT_FALSE(fs::exists(oldest));
  EXPECT_TRUE(fs::exists(WalQuarantineDir(dir_) + "/" + name));
  std::ifstream note(WalQuarantineDir(dir_) + "/" + name + ".damage");
  std::string line;
  ASSERT_TRUE(std::getline(note, line));
  EXPECT_NE(line.find("lost"), std::string::npos) << line;
}

TEST_F(WalDamageTest, AReadOnlyReadChangesNothing) {
  const std::string newest = Segments().back();
  fs::resize_file(newest, fs::file_size(newest) - 100);
  const uint64_t size = fs::file_size(newest);
  WalRecoveryReport report;
  WalReadOptions read_only;
  read_only.cut_torn_tail = false;
  ASSERT_TRUE(ReadWalDir(dir_, 0, read_only, [](const WalRecord&) {}, &report, nullptr).ok());
  EXPECT_EQ(report.damage.size(), 1u);
  EXPECT_EQ(fs::file_size(newest), size);
  EXPECT_FALSE(fs::exists(WalQuarantineDir(dir_)));
}

TEST(ScanWalSegment, FindsTheRecordAfterGarbageAndNamesTheGap) {
  std::string data;
  AppendWalRecord(&data, 7, WalKind::kLogsJson, 1, "one", WalPayloadCrc("one"));
  data += std::string(60, '\xee');
  AppendWalRecord(&data, 9, WalKind::kLogsJson, 2, "three", WalPayloadCrc("three"));
  std::vector<uint64_t> lsns;
  WalSegmentScan scan = ScanWalSegment(data, 7, 0, [&](const WalRecord& r) { lsns.push_back(r.lsn); });
  EXPECT_EQ(lsns, (std::vector<uint64_t>{7, 9}));
  ASSERT_EQ(scan.unreadable.size(), 1u);
  EXPECT_EQ(scan.unreadable[0].begin, kWalHeaderBytes + 3);
  EXPECT_EQ(scan.unreadable[0].end, kWalHeaderBytes + 3 + 60);
  EXPECT_EQ(scan.unreadable[0].expected_lsn, 8u);
  EXPECT_EQ(scan.unreadable[0].next_lsn, 9u);
  EXPECT_FALSE(scan.ends_unreadable);
}

}  // namespace
}  // namespace callpath::daemon
