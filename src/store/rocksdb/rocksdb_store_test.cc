#include "callpath/store/rocksdb_store.h"

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

TEST(RocksDbStoreTest, EmptyPathIsInvalid) {
  EXPECT_EQ(OpenRocksDbStore(RocksDbOptions{}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace callpath::store
