// The conformance suite every storage backend must pass (Jaeger's
// storage/integration idea): one set of behaviour tests, instantiated per
// backend with a factory.
//
//   INSTANTIATE_TEST_SUITE_P(RocksDb, StoreConformanceTest,
//       ::testing::Values(StoreFactory{"rocksdb", [](const std::string& dir) {...}}),
//       StoreFactoryName);
//
// The factory opens (or reopens) the backend whose files live in `dir`.
// Backends that keep nothing on disk set `persistent = false`; the reopen
// and crash tests are then skipped.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "callpath/store/store.h"

namespace callpath::store::testing {

struct StoreFactory {
  std::string name;
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir)> open;
  bool persistent = true;
  // Width of the backend's time buckets, as the retention test must know.
  uint64_t bucket_seconds = 3600;
};

std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info);

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Closes and opens the store again on the same directory.
  void Reopen();
  Store& store() { return *store_; }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace callpath::store::testing
