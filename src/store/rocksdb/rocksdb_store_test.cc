#include "callpath/store/rocksdb_store.h"

#include <rocksdb/db.h>

#include <filesystem>

#include "store/testing/conformance.h"

namespace callpath::store {
namespace {

using testing::StoreConformanceTest;
using testing::StoreFactory;

Result<std::unique_ptr<Store>> OpenAt(const std::string& dir) {
  RocksDbOptions o;
  o.path = dir;
  o.block_cache_bytes = 8 << 20;
  o.write_buffer_bytes = 4 << 20;
  return OpenRocksDbStore(o);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values(StoreFactory{"rocksdb", OpenAt}),
                         testing::StoreFactoryName);

TEST(RocksDbStoreTest, SecondOpenOfTheSameDirectoryIsUnavailable) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-lock";
  std::filesystem::remove_all(dir);
  auto first = OpenAt(dir);
  ASSERT_TRUE(first.ok());
  auto second = OpenAt(dir);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
  EXPECT_TRUE((*first)->Close().ok());
  std::filesystem::remove_all(dir);
}

TEST(RocksDbStoreTest, BucketWidthIsFixedAtCreation) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-bucket";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(OpenAt(dir).ok());
  RocksDbOptions o;
  o.path = dir;
  o.bucket_seconds = 60;
  EXPECT_EQ(OpenRocksDbStore(o).status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

// A store of format 2 (leveled compaction everywhere, span blobs never
// compressed) written by an older version: refused with a message that
// names both formats, not misread and not an obscure RocksDB error.
TEST(RocksDbStoreTest, OlderFormatIsRefusedClearly) {
  std::string dir = ::testing::TempDir() + "/callpath-rocks-format2";
  std::filesystem::remove_all(dir);
  {
    rocksdb::DBOptions db_opts;
    db_opts.create_if_missing = true;
    db_opts.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "index", "traces", "logs", "log_trace", "names", "resources",
                             "meta", "log_service"}) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(db_opts, dir, cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put({}, handles[7], "bucket_seconds", "3600").ok());
    ASSERT_TRUE(db->Put({}, handles[7], "format", "2").ok());
    ASSERT_TRUE(db->Put({}, handles[0], std::string(28, 'k'), "old blob").ok());
    // Data below level 0, as leveled compaction leaves it.
    rocksdb::CompactRangeOptions co;
    co.change_level = true;
    co.target_level = 3;
    for (auto* h : handles) ASSERT_TRUE(db->CompactRange(co, h, nullptr, nullptr).ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto opened = OpenAt(dir);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument) << opened.status().ToString();
  EXPECT_NE(opened.status().ToString().find("has format 2"), std::string::npos) << opened.status().ToString();
  std::filesystem::remove_all(dir);
}

TEST(RocksDbStoreTest, EmptyPathIsInvalid) {
  EXPECT_EQ(OpenRocksDbStore(RocksDbOptions{}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace callpath::store
