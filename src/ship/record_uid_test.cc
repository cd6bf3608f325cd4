#include "ship/record_uid.h"

#include <gtest/gtest.h>

#include <set>

namespace callpath::ship {
namespace {

TEST(RecordUid, TheSameRecordOfTheSameFileGetsTheSameUid) {
  const Fingerprint head{1024, 0x1234};
  EXPECT_EQ(RecordUid("web-1", 64769, 42, head, 4096), RecordUid("web-1", 64769, 42, head, 4096));
  EXPECT_EQ(RecordUid("web-1", 64769, 42, head, 4096).size(), 32u);
  EXPECT_TRUE(RecordUid("web-1", 64769, 42, head, 4096).ends_with("0000000000001000"));
}

TEST(RecordUid, EveryPartOfWhereTheRecordLiesChangesIt) {
  const Fingerprint head{1024, 0x1234};
  std::set<std::string> uids = {
      RecordUid("web-1", 64769, 42, head, 4096),
      RecordUid("web-2", 64769, 42, head, 4096),
      RecordUid("web-1", 64770, 42, head, 4096),
      RecordUid("web-1", 64769, 43, head, 4096),
      RecordUid("web-1", 64769, 42, Fingerprint{1024, 0x1235}, 4096),  // a new file on a recycled inode
      RecordUid("web-1", 64769, 42, Fingerprint{1000, 0x1234}, 4096),
      RecordUid("web-1", 64769, 42, head, 4097),
  };
  EXPECT_EQ(uids.size(), 7u);
}

}  // namespace
}  // namespace callpath::ship
