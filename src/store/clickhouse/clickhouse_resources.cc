// Resource attributes, stored once per distinct resource and day in the
// resources table: written ahead of the rows that name them, looked up by
// hash when those rows are read.
#include <set>

#include "store/clickhouse/clickhouse_store_impl.h"
#include "store/clickhouse/rows.h"

namespace callpath::store {

namespace {

constexpr size_t kMaxCachedResources = 16384;

}  // namespace

void ClickHouseStore::NewResources(const std::vector<const PreparedBatch*>& batches, std::vector<std::string>* rows,
                                   std::vector<std::pair<uint64_t, uint64_t>>* keys) {
  rows->assign(shard_map_.shards(), std::string());
  keys->clear();
  std::set<std::pair<uint64_t, uint64_t>> taken;  // this write's, across its batches
  std::lock_guard<std::mutex> lock(ops_mu_);
  for (const PreparedBatch* b : batches) {
    for (const ChResource& r : static_cast<const ChPreparedBatch*>(b)->resources) {
      const std::pair<uint64_t, uint64_t> key(r.day, r.resource);
      if (resources_written_.count(key) || !taken.insert(key).second) continue;
      keys->push_back(key);
      // Where the Distributed table (sharded by `resource`) would put it.
      const size_t shard = shard_servers_.empty() ? 0 : shard_map_.ShardOf(r.resource);
      ch::RowWriter w(&(*rows)[shard]);
      ch::PutResource(w, r.day, r.resource, r.encoded);
    }
  }
}

Status ClickHouseStore::AttachResources(const std::vector<std::pair<uint64_t, Attributes*>>& targets) {
  std::map<uint64_t, Attributes> found;
  std::string missing;  // hashes to read, as a SQL list
  {
    std::lock_guard<std::mutex> lock(resource_cache_mu_);
    for (const auto& [resource, attrs] : targets) {
      if (resource == 0 || found.count(resource)) continue;
      auto it = resource_cache_.find(resource);
      if (it != resource_cache_.end()) {
        found.emplace(resource, it->second);
        continue;
      }
      found.emplace(resource, Attributes());  // until read below
      missing += (missing.empty() ? "" : ", ") + std::to_string(resource);
    }
  }
  if (!missing.empty()) {
    auto answer = Query("SELECT resource, res.key, res.type, res.value FROM " + T("resources") + " WHERE resource IN (" +
                        missing + ") LIMIT 1 BY resource FORMAT RowBinary");
    if (!answer.ok()) return answer.status();
    ch::RowReader r(*answer);
    std::lock_guard<std::mutex> lock(resource_cache_mu_);
    if (resource_cache_.size() > kMaxCachedResources) resource_cache_.clear();
    while (!r.done()) {
      uint64_t resource = 0;
      Attributes attrs;
      if (!ch::ReadResource(r, &resource, &attrs)) return DataLoss("clickhouse: malformed resources row");
      resource_cache_[resource] = attrs;
      found[resource] = std::move(attrs);
    }
  }
  for (const auto& [resource, attrs] : targets) {
    if (resource != 0) *attrs = found[resource];
  }
  return Status::Ok();
}

}  // namespace callpath::store
