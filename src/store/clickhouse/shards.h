// Where a cluster keeps a row: the shard its Distributed table would send
// it to. callpathd computes it to insert each shard's rows straight into
// that shard's `_local` tables, which spares the Distributed table's second
// parse of every row and the first shard's relaying of the others' rows.
//
// The tables keyed by trace are sharded by `cityHash64(trace_id)` (schema.cc);
// for a FixedString(16) that is CityHash64 v1.0.2 (the version ClickHouse
// keeps for compatibility) of the 16 bytes, whose 9-to-16-byte path is
// small enough to compute here exactly. A Distributed table maps a key to a
// shard by `key % total weight` over slots laid out shard after shard, each
// shard taking as many slots as its weight.
#pragma once

#include <cstdint>
#include <vector>

#include "callpath/ids.h"

namespace callpath::store::ch {

// ClickHouse's cityHash64(trace_id) for trace_id FixedString(16).
uint64_t TraceIdHash(const TraceId& id);

class ShardMap {
 public:
  ShardMap() = default;  // one shard
  // The shards' weights in the order of the cluster's <remote_servers>.
  // A shard of weight 0 takes no slot (no inserted row goes there), as in
  // ClickHouse. Empty = one shard.
  explicit ShardMap(const std::vector<uint32_t>& weights);

  size_t shards() const { return shards_; }
  // Index (0-based, cluster order) of the shard for a sharding key.
  size_t ShardOf(uint64_t key) const {
    return slots_.empty() ? 0 : slots_[key % slots_.size()];
  }
  size_t ShardOf(const TraceId& id) const { return shards_ <= 1 ? 0 : ShardOf(TraceIdHash(id)); }

 private:
  size_t shards_ = 1;
  std::vector<uint32_t> slots_;  // slot -> shard index
};

}  // namespace callpath::store::ch
