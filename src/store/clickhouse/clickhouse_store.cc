// Opening (schema, meta, position, cleanup of incomplete writes), retention
// and closing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <unistd.h>

#include "store/clickhouse/clickhouse_store_impl.h"
#include "store/clickhouse/row_binary.h"

namespace callpath::store {

namespace {

bool IsIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 128 || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::vector<std::string> SplitUrls(const std::string& urls) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from <= urls.size()) {
    size_t comma = urls.find(',', from);
    if (comma == std::string::npos) comma = urls.size();
    if (comma > from) out.push_back(urls.substr(from, comma - from));
    from = comma + 1;
  }
  return out;
}

bool Readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

// URLs speak http or https; TLS files only with https, readable, a client
// certificate with its key. Caught here, before any connection, so a typo
// is a clear error instead of an unverified or failing handshake.
Status CheckTlsOptions(const ClickHouseOptions& o, const std::vector<std::string>& urls) {
  bool any_https = false;
  for (const std::string& u : urls) {
    if (u.rfind("https://", 0) == 0) {
      any_https = true;
    } else if (u.rfind("http://", 0) != 0) {
      return InvalidArgument("clickhouse url '" + u + "' must start with http:// or https://");
    }
  }
  const bool any_file = !o.tls_ca_file.empty() || !o.tls_cert_file.empty() || !o.tls_key_file.empty();
  if (any_file && !any_https) {
    return InvalidArgument("clickhouse TLS files are set but no clickhouse url is https://");
  }
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return InvalidArgument("a clickhouse client certificate needs its key, and a key its certificate");
  }
  for (const std::string* f : {&o.tls_ca_file, &o.tls_cert_file, &o.tls_key_file}) {
    if (!f->empty() && !Readable(*f)) return InvalidArgument("cannot read clickhouse TLS file '" + *f + "'");
  }
  return Status::Ok();
}

// Lines of a TabSeparated answer.
std::vector<std::string> Lines(const std::string& answer) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from < answer.size()) {
    size_t nl = answer.find('\n', from);
    if (nl == std::string::npos) nl = answer.size();
    out.push_back(answer.substr(from, nl - from));
    from = nl + 1;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenClickHouseStore(const ClickHouseOptions& options) {
  return ClickHouseStore::Open(options);
}

ClickHouseStore::ClickHouseStore(const ClickHouseOptions& options) : options_(options) {}

ClickHouseStore::~ClickHouseStore() { (void)Close(); }

Result<std::unique_ptr<Store>> ClickHouseStore::Open(const ClickHouseOptions& options) {
  if (!IsIdentifier(options.database)) {
    return InvalidArgument("clickhouse database name must be letters, digits and _: '" + options.database + "'");
  }
  if (!options.cluster.empty() && !IsIdentifier(options.cluster)) {
    return InvalidArgument("clickhouse cluster name must be letters, digits and _: '" + options.cluster + "'");
  }
  if (options.writer_id.empty()) return InvalidArgument("clickhouse writer id is empty");
  if (options.partition_seconds == 0) return InvalidArgument("clickhouse partition width is 0");
  std::unique_ptr<ClickHouseStore> s(new ClickHouseStore(options));
  const std::vector<std::string> urls = SplitUrls(options.url);
  if (urls.empty()) return InvalidArgument("no clickhouse url given");
  if (options.cluster.empty() && urls.size() > 1) {
    return InvalidArgument("several clickhouse urls need a cluster name (--clickhouse-cluster)");
  }
  // A cluster's reads run trace-level subqueries on each shard's own rows
  // (a trace lives on one shard); its inserts return once every shard has
  // its rows.
  const std::string settings =
      options.cluster.empty() ? "" : "distributed_product_mode=local&insert_distributed_sync=1";
  CALLPATH_RETURN_IF_ERROR(CheckTlsOptions(options, urls));
  const ch::TlsFiles tls{options.tls_ca_file, options.tls_cert_file, options.tls_key_file};
  for (const auto& u : urls) {
    s->servers_.push_back(std::make_unique<ch::Http>(u, options.timeout_seconds, settings, tls));
  }
  s->schema_.partition_ns = options.partition_seconds * 1'000'000'000ull;
  CALLPATH_RETURN_IF_ERROR(s->CreateSchema());
  CALLPATH_RETURN_IF_ERROR(s->MapShards());
  CALLPATH_RETURN_IF_ERROR(s->CheckMeta());
  CALLPATH_RETURN_IF_ERROR(s->LoadPosition());
  CALLPATH_RETURN_IF_ERROR(s->RemoveIncompleteWrites());
  return std::unique_ptr<Store>(std::move(s));
}

Status ClickHouseStore::CreateSchema() {
  // LowCardinality is usable without a switch from 19.x on.
  auto version = Query("SELECT version()");
  if (!version.ok()) return version.status();
  schema_.low_cardinality = std::atoi(version->c_str()) >= 19;
  for (size_t i = 0; i < servers_.size(); ++i) {
    auto created = servers_[i]->Query("CREATE DATABASE IF NOT EXISTS " + options_.database);
    if (!created.ok()) return created.status();
    for (const ch::Table& t : ch::Tables(schema_)) {
      if (t.shard_key.empty() && i > 0) continue;  // kept on the first server only
      for (const std::string& sql : ch::CreateStatements(options_.database, options_.cluster, t)) {
        auto r = servers_[i]->Query(sql);
        if (!r.ok()) return r.status();
      }
    }
    CALLPATH_RETURN_IF_ERROR(AddResourceColumns(*servers_[i]));
  }
  return Status::Ok();
}

Status ClickHouseStore::AddResourceColumns(ch::Http& server) {
  // Schema version 3 added `resource` to spans and logs (the MergeTree and,
  // with a cluster, the Distributed table over it); older rows read 0
  // there and keep their own `res` arrays.
  auto have = server.Query("SELECT table FROM system.columns WHERE database = " + ch::Quote(options_.database) +
                           " AND name = 'resource' FORMAT TabSeparated");
  if (!have.ok()) return have.status();
  const std::vector<std::string> done = Lines(*have);
  for (const ch::Table& t : ch::Tables(schema_)) {
    if (t.name != "spans" && t.name != "logs") continue;
    std::vector<std::string> names = {ch::LocalName(options_.cluster, t)};
    if (names.front() != t.name) names.push_back(t.name);  // the Distributed table
    for (const std::string& table : names) {
      if (std::find(done.begin(), done.end(), table) != done.end()) continue;
      auto r = server.Query("ALTER TABLE " + options_.database + "." + table + " ADD COLUMN resource UInt64");
      if (!r.ok()) return r.status();
    }
  }
  return Status::Ok();
}

Status ClickHouseStore::MapShards() {
  shard_map_ = ch::ShardMap();
  shard_servers_.clear();
  if (options_.cluster.empty()) return Status::Ok();
  // The cluster's shards, in the order its Distributed tables number them.
  auto shards = Query("SELECT shard_num, any(shard_weight), count() FROM system.clusters WHERE cluster = " +
                      ch::Quote(options_.cluster) + " GROUP BY shard_num ORDER BY shard_num FORMAT TabSeparated");
  if (!shards.ok()) return shards.status();
  std::vector<uint32_t> weights;
  uint64_t total = 0;
  for (const std::string& line : Lines(*shards)) {
    unsigned number = 0, weight = 0, replicas = 0;
    if (std::sscanf(line.c_str(), "%u\t%u\t%u", &number, &weight, &replicas) != 3) continue;
    // Replicas of a plain MergeTree are filled by the Distributed table
    // itself: only it may insert then.
    if (replicas != 1 || number != weights.size() + 1) return Status::Ok();
    weights.push_back(weight);
    total += weight;
  }
  if (weights.size() != servers_.size() || total == 0) return Status::Ok();
  // Which shard each server given is: the one it calls local.
  std::vector<ch::Http*> by_shard(weights.size(), nullptr);
  for (auto& server : servers_) {
    auto local = server->Query("SELECT shard_num FROM system.clusters WHERE cluster = " + ch::Quote(options_.cluster) +
                               " AND is_local FORMAT TabSeparated");
    if (!local.ok()) return local.status();
    const std::vector<std::string> lines = Lines(*local);
    const unsigned number = lines.size() == 1 ? static_cast<unsigned>(std::strtoul(lines[0].c_str(), nullptr, 10)) : 0;
    if (number == 0 || number > by_shard.size() || by_shard[number - 1] != nullptr) return Status::Ok();
    by_shard[number - 1] = server.get();
  }
  shard_map_ = ch::ShardMap(weights);
  shard_servers_ = std::move(by_shard);
  return Status::Ok();
}

ch::Http& ClickHouseStore::TraceServer(const TraceId& trace_id) {
  return shard_servers_.empty() ? *servers_.front() : *shard_servers_[shard_map_.ShardOf(trace_id)];
}

std::string ClickHouseStore::TraceTable(const char* table) const {
  return shard_servers_.empty() ? T(table) : T(table) + "_local";
}

Status ClickHouseStore::CheckMeta() {
  auto rows = Query("SELECT key, max(value) FROM " + T("meta") + " GROUP BY key FORMAT TabSeparated");
  if (!rows.ok()) return rows.status();
  uint64_t stored_version = 0, stored_partition = 0;
  for (const std::string& line : Lines(*rows)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string key = line.substr(0, tab);
    const uint64_t value = std::strtoull(line.c_str() + tab + 1, nullptr, 10);
    if (key == "schema_version") stored_version = value;
    if (key == "partition_ns") stored_partition = value;
    if (key == "tags_from_ns") tags_from_ns_ = value;
  }
  if (stored_version > ch::kSchemaVersion) {
    return FailedPrecondition("clickhouse database " + options_.database + " has schema version " +
                              std::to_string(stored_version) + ", newer than this callpathd's " +
                              std::to_string(ch::kSchemaVersion) + ": upgrade callpathd");
  }
  if (stored_partition != 0 && stored_partition != schema_.partition_ns) {
    return FailedPrecondition("clickhouse database " + options_.database + " was created with partitions of " +
                              std::to_string(stored_partition / 1'000'000'000ull) + " s, not " +
                              std::to_string(options_.partition_seconds) + " s");
  }
  // Upgrades from older schema versions go here, one step per version,
  // before the new version is recorded. Version 1 is the first.
  if (stored_version == ch::kSchemaVersion && stored_partition != 0) return Status::Ok();
  std::string records;
  if (stored_version == 1) {
    // 1 -> 2: CreateSchema made the tags table; spans stored before now are
    // not in it, so attribute searches reaching before now scan the spans.
    // (A node of the old version still writing leaves its spans out too:
    // upgrade every node.)
    tags_from_ns_ = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    records = ", ('tags_from_ns', '" + std::to_string(tags_from_ns_) + "')";
  }
  const std::string sql = "INSERT INTO " + T("meta") + " VALUES ('schema_version', '" +
                          std::to_string(ch::kSchemaVersion) + "'), ('partition_ns', '" +
                          std::to_string(schema_.partition_ns) + "')" + records;
  auto r = Query(sql);
  return r.ok() ? Status::Ok() : r.status();
}

Status ClickHouseStore::LoadPosition() {
  auto r = Query("SELECT max(position) FROM " + T("positions") + " WHERE writer = " + ch::Quote(options_.writer_id) +
                 " FORMAT RowBinary");
  if (!r.ok()) return r.status();
  ch::RowReader reader(*r);
  const uint64_t position = reader.U64();
  if (!reader.ok()) return DataLoss("clickhouse: malformed answer reading the last position");
  committed_.store(position);
  dirty_.store(true);  // a crash may have left rows of a write after it
  return Status::Ok();
}

Status ClickHouseStore::RemoveIncompleteWrites() {
  if (!dirty_.load()) return Status::Ok();
  const std::string after = " WHERE writer = " + ch::Quote(options_.writer_id) +
                            " AND version > " + std::to_string(committed_.load());
  // The position row first: from then on nothing claims the rows below.
  auto r = Query("ALTER TABLE " + T("positions") + " DELETE WHERE writer = " + ch::Quote(options_.writer_id) +
                 " AND position > " + std::to_string(committed_.load()));
  if (!r.ok()) return r.status();
  for (auto& server : servers_) {
    bool mutated = false;
    for (const ch::Table& t : ch::Tables(schema_)) {
      if (!t.versioned) continue;
      const std::string table = options_.database + "." + ch::LocalName(options_.cluster, t);
      auto count = server->Query("SELECT count() FROM " + table + after + " FORMAT RowBinary");
      if (!count.ok()) return count.status();
      ch::RowReader reader(*count);
      if (reader.U64() == 0) continue;
      auto del = server->Query("ALTER TABLE " + table + " DELETE" + after);
      if (!del.ok()) return del.status();
      mutated = true;
    }
    // The positions table lives on the first server.
    mutated = mutated || server == servers_.front();
    if (!mutated) continue;
    // Mutations run in the background: wait until they are done.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options_.timeout_seconds);
    for (;;) {
      auto pending = server->Query("SELECT count() FROM system.mutations WHERE database = " +
                                   ch::Quote(options_.database) + " AND is_done = 0 FORMAT RowBinary");
      if (!pending.ok()) return pending.status();
      ch::RowReader reader(*pending);
      if (reader.U64() == 0) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return Unavailable("clickhouse: removing rows of an incomplete write takes too long");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  dirty_.store(false);
  return Status::Ok();
}

Status ClickHouseStore::CheckOpen() const {
  return closed_ ? FailedPrecondition("clickhouse store is closed") : Status::Ok();
}

Status ClickHouseStore::DeleteBefore(uint64_t cutoff_ns) {
  CALLPATH_RETURN_IF_ERROR(CheckOpen());
  // Partition p holds [p, p + 1) * width: whole partitions older than the cutoff go.
  const uint64_t first_kept = cutoff_ns / schema_.partition_ns;
  for (auto& server : servers_) {
    for (const ch::Table& t : ch::Tables(schema_)) {
      if (!t.partitioned || (t.shard_key.empty() && server != servers_.front())) continue;
      const std::string local = ch::LocalName(options_.cluster, t);
      auto parts = server->Query("SELECT DISTINCT partition FROM system.parts WHERE database = " +
                                 ch::Quote(options_.database) + " AND table = " + ch::Quote(local) +
                                 " AND active FORMAT TabSeparated");
      if (!parts.ok()) return parts.status();
      for (const std::string& p : Lines(*parts)) {
        if (p.empty() || std::strtoull(p.c_str(), nullptr, 10) >= first_kept) continue;
        auto r = server->Query("ALTER TABLE " + options_.database + "." + local + " DROP PARTITION " + p);
        if (!r.ok()) return r.status();
      }
    }
  }
  std::lock_guard<std::mutex> lock(ops_mu_);
  ops_written_.clear();
  return Status::Ok();
}

StoreStats ClickHouseStore::Stats() {
  StoreStats st;
  st.spans_written = spans_written_.load();
  st.logs_written = logs_written_.load();
  if (closed_) return st;
  for (auto& server : servers_) {
    auto r = server->Query(
        "SELECT sum(bytes_on_disk), sumIf(rows, table IN ('spans', 'spans_local')), "
        "sumIf(rows, table IN ('logs', 'logs_local')), sumIf(rows, table IN ('summaries', 'summaries_local')) "
        "FROM system.parts WHERE database = " + ch::Quote(options_.database) + " AND active FORMAT RowBinary");
    if (!r.ok()) continue;
    ch::RowReader reader(*r);
    st.bytes_on_disk += reader.U64();
    st.approx_spans += reader.U64();
    st.approx_logs += reader.U64();
    st.approx_traces += reader.U64();  // rows per trace and write: an upper bound
  }
  return st;
}

Status ClickHouseStore::Close() {
  closed_ = true;  // nothing buffered: every Write that returned is in ClickHouse
  return Status::Ok();
}

}  // namespace callpath::store
