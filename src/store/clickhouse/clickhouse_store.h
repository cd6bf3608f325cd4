// The scale-out store: ClickHouse, one server or a cluster of shards,
// reached over its HTTP interface.
//
// Layout (schema.cc has the statements). Every table is partitioned by day
// (PARTITION BY intDiv(<time ns>, 86400e9)); retention drops whole day
// partitions on every shard (ALTER TABLE ... DROP PARTITION).
//   spans       one row per span written, ORDER BY (trace_id, start_ns,
//               span_id): a trace by id reads a few granules (PREWHERE
//               trace_id = ...). Attributes are Nested (key, type, value as
//               Value::AsText), which both rebuilds them exactly and lets
//               searches match tags in SQL. ReplacingMergeTree(version):
//               a span written again replaces the earlier copy at merge
//               time; readers keep the newest copy until then. Resource
//               attributes are not repeated per span: `resource` holds the
//               hash of its resource's (rows of schema version 2 and
//               older have them in their own `res` arrays instead). A
//               write's rows are inserted in the table's order, which
//               spares ClickHouse the sort of the insert.
//   resources   (day, hash, attributes) of every resource the spans and
//               logs of a day name, written once per writer process and
//               day before the rows that name it; read back by hash (and
//               cached: a hash's attributes never change), matched in
//               searches with GLOBAL IN. Sharded by the hash.
//   span_index  a light copy of each span (service, start, operation,
//               duration, status, kind, trace id) ORDER BY (service,
//               start_ns): what a search without tags reads.
//   tags        (hash of key and value, latest start, trace id) of every
//               attribute of a trace's spans (span, resource, event and
//               link attributes), once per trace, day and write, ORDER BY
//               (hash, latest start): an attribute search takes the newest
//               candidate traces from here and checks them exactly on
//               their spans. Candidates only, so not versioned (rows of a
//               failed write may stay). Complete from the write that
//               created it on (meta `tags_from_ns`, the upgrade's time; 0
//               when the database was created with it): searches that
//               reach further back scan the spans instead.
//   summaries   one row per trace per write (earliest start, latest end,
//               error spans, services): the trace-level search filters
//               are evaluated on these, grouped by trace, in SQL.
//   logs        ORDER BY (trace_id, effective time): a trace's records are
//               read with its spans; searches scan the time range. Their
//               resource by hash, as spans.
//   op_stats, log_stats   per-minute statistics rows per write (stats.h),
//               latency sketches as String columns, merged at read.
//   operations  (day, service, operation, kind): GetServices/GetOperations.
//   positions   (writer, position): see "Durability" below.
//   meta        schema version, the day width (checked at open) and
//               tags_from_ns.
// With a cluster, each table above is a `Distributed` table over its
// `<name>_local` MergeTree on every shard, sharded by trace id (logs and
// statistics too, by their trace id or at random), so a trace lives on one
// shard and trace-level SQL runs shard-locally (distributed_product_mode =
// local). The schema is created, and upgraded, by Open on every shard.
// Inserts skip the Distributed tables when they can: if the servers given
// are exactly the cluster's shards (one replica each; system.clusters tells
// which is which), Prepare splits the rows by the Distributed tables' own
// sharding (shards.h computes cityHash64(trace_id) exactly) and Write
// inserts each shard's rows into its `_local` tables, the shards in
// parallel. Rows land where the Distributed tables would have put them, so
// databases written either way mix. Reads of one trace go to its shard's
// `_local` tables; every other read goes through the first server's
// Distributed tables. Otherwise (replicas, other servers, no cluster)
// inserts go through the first server's tables as queried.
//
// Durability, and the Writer's position contract. A Write is a sequence of
// INSERTs (resources, spans, summaries, logs, statistics, operations), each
// acknowledged by ClickHouse once its parts are in the server's data
// folder, and LAST a row (writer_id, position) in `positions`. A position
// row therefore proves that every row of its write is stored. Every data
// row carries (writer_id, version = position), so rows of a write that
// failed half-way (or of a crash between two INSERTs) are found and deleted
// (ALTER TABLE ... DELETE WHERE writer = .. AND version > last position)
// before the next write of that writer, and at Open; the caller's replay
// then stores them exactly once. "Durable" here means acknowledged by
// ClickHouse: it survives a crash of callpathd and of the ClickHouse
// process. ClickHouse 18.16 does not fsync a part on INSERT, so a power
// loss of the ClickHouse machine can lose the last seconds of parts (the
// page cache); keep replicas (ReplicatedMergeTree) for that. Checkpoint
// therefore has nothing to flush: every Write that returned is durable in
// this sense, and DurablePosition is the last position written.
//
// Writers: one writer_id per callpathd node (its WAL numbers its
// positions); several nodes may write to the same database at once.
//
// Server versions: 18.16 (Debian 12) and later. Open reads version() and
// uses LowCardinality(String) for service and operation names only on
// servers that have it without an experimental switch (19.x and later).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "callpath/status.h"
#include "store/store.h"

namespace callpath::store {

struct ClickHouseOptions {
  // HTTP endpoint of a server, e.g. http://127.0.0.1:8123. With a cluster,
  // one per shard, comma-separated, in any order: the schema and retention
  // run on each, inserts go to each shard (see "Layout"), searches go
  // through the first.
  std::string url = "http://127.0.0.1:8123";
  std::string database = "callpath";
  // A cluster named in the servers' <remote_servers>: "" = one server.
  std::string cluster;
  // Names this writer's rows and positions (one per callpathd node).
  std::string writer_id = "callpathd";
  // Width of a partition; retention drops whole ones. Fixed at creation.
  uint64_t partition_seconds = 86400;
  // Per HTTP request.
  long timeout_seconds = 30;
  // Keep the per-minute statistics (stats.h) at ingest.
  bool stats = true;
  // TLS for https:// URLs. The server's certificate is always verified
  // (chain and host name; TLS 1.2 at least): against `tls_ca_file` when
  // set, else the system's trust store. A client certificate and key are
  // sent when both are set (servers that require one).
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
};

// Connects, creates the database and schema (or upgrades it), reads this
// writer's last position and removes rows of its writes that never
// completed. Unavailable when the server cannot be reached;
// FailedPrecondition when the schema is newer than this build or was made
// with another partition width.
Result<std::unique_ptr<Store>> OpenClickHouseStore(const ClickHouseOptions& options);

}  // namespace callpath::store
