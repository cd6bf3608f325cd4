// The writer's running totals of the statistics rows it touched lately,
// so that each Write puts every row it changes WHOLE (one Put, in the same
// atomic RocksDB write as the data it came from) instead of a merge
// operand per batch: a read then finds one value per row, however busy
// the minute was, and a crash keeps exactly the rows of the writes it
// kept (the totals in memory are lost with the process and read back from
// the store when a row is next touched).
//
// Threads: Stage and Forget from the one writing thread; DropBefore from
// any thread (it takes the same lock).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "callpath/status.h"
#include "store/stats_fold.h"

namespace callpath::store {

class StatsAggregate {
 public:
  // The stored value of a row (NotFound when there is none).
  using Load = std::function<Status(const std::string& key, std::string* value)>;
  // Stages the new value of a row in the write being built.
  using Put = std::function<void(const std::string& key, const std::string& value)>;
  using BucketOf = std::function<uint32_t(uint64_t ns)>;

  // Adds the rows of `parts` to the totals, reading a row not held from the
  // store first, and puts every row touched. A stored value that does not
  // decode is replaced (statistics are not worth stopping ingest for).
  // Errors: those of `load` other than NotFound; the totals are then
  // forgotten.
  Status Stage(const std::vector<const BatchStats*>& parts, const BucketOf& bucket_of, const Load& load,
               const Put& put);
  // After a write that failed: the totals may hold rows the store did not
  // take, so all are dropped and read again when next touched.
  void Forget();
  // Retention: drops the totals of rows in buckets before `bucket`.
  void DropBefore(uint32_t bucket);

  size_t rows_held() const;

 private:
  struct Row {
    uint32_t bucket = 0;
    uint64_t last_write = 0;  // writes_ when last touched
    bool is_operation = true;
    OperationStats operation;
    LogTemplateStats log_template;
  };
  // The row of `key`, read from the store if not held; added to `touched`
  // the first time a write touches it.
  Status Touch(const std::string& key, uint32_t bucket, bool is_operation, const Load& load, Row** row,
               std::vector<std::pair<const std::string*, Row*>>* touched);
  void Evict();

  // Rows not touched by this many writes are dropped (and read again from
  // the store if they ever are): late data for an old minute is rare.
  static constexpr uint64_t kIdleWrites = 1024;

  mutable std::mutex mu_;
  std::unordered_map<std::string, Row> rows_;
  uint64_t writes_ = 0;
};

}  // namespace callpath::store
