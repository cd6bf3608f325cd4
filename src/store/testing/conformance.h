// The conformance suite every storage backend must pass (Jaeger's
// storage/integration idea): one set of behaviour tests, instantiated per
// backend with a factory.
//
//   INSTANTIATE_TEST_SUITE_P(RocksDb, StoreConformanceTest,
//       ::testing::Values(StoreFactory{"rocksdb", [](const std::string& dir) {...}}),
//       StoreFactoryName);
//
// Every write goes through the calls callpathd makes (WriteAt), and the
// crash test kills a writer after a Checkpoint as the daemon's replay
// contract expects. Adding a backend is adding one factory.
//
// The factory opens (or reopens) the backend whose files live in `dir`.
// Backends that keep nothing on disk set `persistent = false`; the reopen
// and crash tests are then skipped.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace callpath::store::testing {

// Times and ids the suite's tests build their traces from.
inline constexpr uint64_t kMs = 1'000'000;
inline constexpr uint64_t kSec = 1'000'000'000;
// 2023-11-14T22:13:20Z, an hour boundary plus change; far from bucket edges.
inline constexpr uint64_t kBase = 1'700'000'000ull * kSec + 1800 * kSec;

inline TraceId Tid(uint8_t n) {
  TraceId t;
  t.mutable_bytes()[0] = 0xab;
  t.mutable_bytes()[15] = n;
  return t;
}
inline SpanId Sid(uint8_t trace, uint8_t n) {
  SpanId s;
  s.mutable_bytes()[0] = trace;
  s.mutable_bytes()[7] = n;
  return s;
}

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
  // Writes as callpathd does (see WriteAt) at the next position.
  Status Write(const std::vector<StoredSpan>& spans, const std::vector<StoredLog>& logs);
  Status WriteSpans(const std::vector<StoredSpan>& spans) { return Write(spans, {}); }
  Status WriteLogs(const std::vector<StoredLog>& logs) { return Write({}, logs); }

  std::string dir_;
  std::unique_ptr<Store> store_;
  uint64_t position_ = 0;  // of the last write
};

// The calls callpathd makes for one write (Writer in store.h): Prepare,
// then Write at `position`. Each distinct resource is given once.
Status WriteAt(Writer& writer, uint64_t position, const std::vector<StoredSpan>& spans,
               const std::vector<StoredLog>& logs);

}  // namespace callpath::store::testing
