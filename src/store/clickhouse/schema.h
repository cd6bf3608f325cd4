// The tables of the ClickHouse store (clickhouse_store.h describes them)
// and the column lists that inserts and reads use, in table order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace callpath::store::ch {

// The schema version this build writes; Open upgrades older ones.
// 2: the `tags` table (attribute search), complete from the upgrade on.
// 3: the `resources` table; spans and logs gain `resource` (the hash of
//    their resource attributes) and leave their `res` arrays empty.
inline constexpr uint32_t kSchemaVersion = 3;

// Columns of each table, in the order RowBinary rows carry them.
extern const char* const kSpanColumns;
extern const char* const kLogColumns;
extern const char* const kResourceColumns;
// The light columns of a span, what summaries are folded from.
extern const char* const kSpanSummaryColumns;
// The columns of a span tree (SpanReader::GetTraceSkeleton), with the row's
// version and seq.
extern const char* const kSpanSkeletonColumns;

struct Table {
  std::string name;        // as queried: the Distributed table with a cluster
  std::string definition;  // columns and engine of the MergeTree table
  std::string shard_key;   // expression the Distributed table shards by
  bool versioned = true;   // rows carry (writer, version): cleaned after a failed write
  bool partitioned = true; // by day: dropped by retention
};

struct SchemaOptions {
  uint64_t partition_ns = 86'400'000'000'000ull;
  bool low_cardinality = false;  // the server has LowCardinality without a switch
};

// Every table of the store.
std::vector<Table> Tables(const SchemaOptions& options);

// Statements that create `table` in `database` (IF NOT EXISTS): the
// MergeTree as `<name>_local` and a Distributed `<name>` over `cluster`,
// or the MergeTree as `<name>` when cluster is "".
std::vector<std::string> CreateStatements(const std::string& database, const std::string& cluster,
                                          const Table& table);
// The MergeTree table's name: where mutations and DROP PARTITION go.
std::string LocalName(const std::string& cluster, const Table& table);

}  // namespace callpath::store::ch
