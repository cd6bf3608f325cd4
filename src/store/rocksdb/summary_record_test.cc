#include "store/rocksdb/summary_record.h"

#include <gtest/gtest.h>

#include "store/encoding.h"

namespace callpath::store {
namespace {

// A version-1 record (store formats up to 5), written byte by byte the way
// those versions wrote it: tracked ids, no per-service counts, no orphans.
std::string VersionOneRecord() {
  std::string out;
  out.push_back(1);
  enc::PutBytes(&out, "api");
  enc::PutBytes(&out, "GET /");
  out.push_back(1);                // has_root
  enc::PutVarint(&out, 1000);      // root_start_ns
  enc::PutVarint(&out, 1000);      // start_ns
  enc::PutVarint(&out, 500);       // duration_ns
  enc::PutVarint(&out, 2);         // span_count
  enc::PutVarint(&out, 1);         // error_count
  enc::PutVarint(&out, 2);
  enc::PutBytes(&out, "api");
  enc::PutBytes(&out, "db");
  enc::PutVarint(&out, 1);         // buckets
  enc::PutVarint(&out, 7);
  auto put_ids = [&](std::vector<uint64_t> ids) {
    enc::PutVarint(&out, ids.size());
    for (uint64_t id : ids) out.append(reinterpret_cast<const char*>(&id), 8);
  };
  put_ids({11, 22});
  put_ids({22});
  return out;
}

TEST(SummaryRecordTest, VersionOneRecordsStayReadable) {
  SummaryRecord rec;
  ASSERT_TRUE(DecodeSummaryRecord(VersionOneRecord(), &rec));
  EXPECT_EQ(rec.summary.span_count, 2u);
  EXPECT_EQ(rec.summary.error_count, 1u);
  EXPECT_EQ(rec.summary.services, (std::vector<std::string>{"api", "db"}));
  EXPECT_TRUE(rec.summary.service_stats.empty());  // unknown, not zero
  EXPECT_EQ(rec.summary.orphan_count, 0u);
  EXPECT_TRUE(rec.ids_tracked);
  EXPECT_FALSE(rec.services_tracked());
  uint32_t errors = 0;
  ASSERT_TRUE(PeekSummaryErrorCount(VersionOneRecord(), &errors));
  EXPECT_EQ(errors, 1u);

  // A new part merged into an old record: exact totals, per-service
  // counts stay unknown rather than wrong.
  SummaryRecord part;
  part.summary.span_count = 2;
  part.summary.error_count = 0;
  part.summary.services = {"db"};
  part.summary.service_stats = {{"db", 2, 0}};
  part.summary.start_ns = 1100;
  part.summary.duration_ns = 10;
  part.ids_tracked = true;
  part.span_ids = {22, 33};
  part.span_services = {0, 0};
  rec.Merge(part);
  EXPECT_EQ(rec.summary.span_count, 3u);  // span 22 counted once
  EXPECT_TRUE(rec.summary.service_stats.empty());
  std::string encoded;
  EncodeSummaryRecord(rec, &encoded);
  SummaryRecord again;
  ASSERT_TRUE(DecodeSummaryRecord(encoded, &again));
  EXPECT_EQ(again.summary.span_count, 3u);
  EXPECT_EQ(again.span_ids, (std::vector<uint64_t>{11, 22, 33}));
}

TEST(SummaryRecordTest, VersionTwoRoundTripsCountsAndOrphans) {
  SummaryRecord rec;
  rec.summary.root_service = "api";
  rec.summary.span_count = 2;
  rec.summary.error_count = 1;
  rec.summary.services = {"api", "db"};
  rec.summary.service_stats = {{"api", 1, 0}, {"db", 1, 1}};
  rec.summary.orphan_count = 1;
  rec.buckets = {3};
  rec.ids_tracked = true;
  rec.span_ids = {5, 9};
  rec.error_ids = {9};
  rec.span_services = {0, 1};
  rec.orphans = {{5, 77}};
  std::string encoded;
  EncodeSummaryRecord(rec, &encoded);
  SummaryRecord back;
  ASSERT_TRUE(DecodeSummaryRecord(encoded, &back));
  EXPECT_EQ(back.summary.service_stats, rec.summary.service_stats);
  EXPECT_EQ(back.summary.orphan_count, 1u);
  EXPECT_EQ(back.span_services, rec.span_services);
  EXPECT_EQ(back.orphans, rec.orphans);
  // Truncated records are rejected, never misread.
  for (size_t n = 0; n < encoded.size(); ++n) {
    SummaryRecord cut;
    EXPECT_FALSE(DecodeSummaryRecord(std::string_view(encoded).substr(0, n), &cut)) << n;
  }
}

}  // namespace
}  // namespace callpath::store
