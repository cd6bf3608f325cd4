// DaemonConfig: everything callpathd can be told, and where it comes from.
//
// Three sources, later ones win key by key:
//   1. a YAML file (`--config FILE`, keys are the flag names with '_' or '-'),
//   2. environment variables `CALLPATHD_<FLAG>` (`CALLPATHD_DATA_DIR`, ...),
//   3. command-line flags (`--data-dir DIR`, ...).
// Defaults are written inline below.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "daemon/cluster/cluster_config.h"
#include "daemon/sampling/sampling_config.h"

namespace callpath::daemon {

// TLS files of one listener (YAML only: `query_tls: {cert: ..., key: ...,
// client_ca: ...}`); empty cert = the global tls_* files.
struct ListenerTlsConfig {
  std::string cert;
  std::string key;
  std::string client_ca;
};

// Limits of one tenant (YAML only: `tenant_defaults: {...}` for every
// tenant, `tenants: {name: {...}}` per tenant, starting from the defaults).
// 0 = no limit unless said otherwise. docs/security.md, "Tenants".
struct TenantLimitsConfig {
  // Spans + log records accepted per second (token bucket refilled at this
  // rate, holding up to ingest_burst; 0 burst = one second's worth). Over
  // it: 429 + Retry-After / RESOURCE_EXHAUSTED.
  uint64_t ingest_rate = 0;
  uint64_t ingest_burst = 0;
  // Bytes of the tenant's store (and its ingest WAL) on disk beyond which
  // ingest is refused (507 / RESOURCE_EXHAUSTED) until retention frees room.
  uint64_t max_stored_bytes = 0;
  // Queries of the tenant queued or running at once; one more gets 429.
  uint64_t max_concurrent_queries = 16;
  // A query not answered within this gets 504 with the reason (seconds).
  uint64_t query_timeout_seconds = 60;
  // Data older than this is dropped (seconds); 0 = the global retention_hours.
  uint64_t retention_seconds = 0;
};

struct DaemonConfig {
  // Where the embedded store keeps its files, and the ingest WAL (with
  // every store); created if missing.
  std::string data_dir = "callpath-data";

  // The store: "rocksdb" (embedded, in data_dir) or "clickhouse" (a
  // server or cluster, docs/scale-out.md). For ClickHouse: the HTTP
  // endpoint (one per shard, comma-separated, with a cluster), the
  // database (created if missing), the cluster named in the servers'
  // <remote_servers> ("" = one server), and this node's writer id ("" =
  // hostname:data_dir), which must stay the same across restarts.
  std::string store = "rocksdb";
  std::string clickhouse_url = "http://127.0.0.1:8123";
  std::string clickhouse_database = "callpath";
  std::string clickhouse_cluster;
  std::string clickhouse_writer_id;
  // TLS to ClickHouse (https:// URLs): the server is always verified, against
  // this CA file when set (else the system's trust store); a client
  // certificate and key when the server asks for one.
  std::string clickhouse_ca;
  std::string clickhouse_cert;
  std::string clickhouse_key;

  // Listen addresses, "host:port". Port 0 picks a free port; the chosen ports
  // are printed on stdout and written to `ready_file`. An empty string turns
  // the listener off.
  std::string otlp_grpc_listen = "127.0.0.1:4317";
  std::string otlp_http_listen = "127.0.0.1:4318";
  std::string query_listen = "127.0.0.1:16686";

  // Static UI files; empty = "<exe dir>/../share/callpath/ui" then
  // "<exe dir>/../ui/dist". Without files an embedded page is served.
  std::string ui_dir;

  // When set, a small JSON file with the bound ports is written here once
  // every listener accepts connections (atomically, via rename).
  std::string ready_file;

  // A callpath-ship YAML file (docs/logs.md): callpathd then follows those
  // log files itself and sends them to its own OTLP/HTTP port unless the
  // file names an endpoint. Empty: off.
  std::string ship_config;

  // Largest request body accepted, measured after decompression. Bigger
  // bodies and gzip bombs get 413 (HTTP) / RESOURCE_EXHAUSTED (gRPC).
  uint64_t max_body_bytes = 64ull << 20;

  // Largest result of one MCP tools/call (POST /api/mcp), as serialized.
  // Agents read about 25k tokens of a tool result; 64 KiB stays under that.
  uint64_t mcp_result_bytes = 64 * 1024;

  // Clock-skew adjustment of the trace endpoints (Jaeger's rule: a span of
  // another service outside its parent is shifted into it): the largest
  // shift made. A larger one is refused with a warning on the span - a
  // child that far off is more likely mislinked than skewed. Durations as
  // for max_item_age; "0" = no limit. ?adjust_skew=false turns it off.
  std::string max_clock_skew = "10m";

  // A span, event, link or log record with more attributes than this, or
  // with an attribute value longer than max_attribute_bytes, is rejected
  // (partial success naming the limit; 400 when nothing else was sent).
  // OpenTelemetry SDKs limit attributes to 128 by default.
  // max_attribute_bytes also caps attribute keys, span names and event
  // names.
  uint64_t max_attributes = 128;
  uint64_t max_attribute_bytes = 65536;

  // A span or log record whose timestamps lie more than max_item_age
  // before its arrival, or more than max_item_future after it, is rejected
  // with the reason (partial success), not clamped. Durations: "30d",
  // "12h", "90m", "45s" or bare seconds; "0" turns that side off (for
  // backfills of old data).
  std::string max_item_age = "30d";
  std::string max_item_future = "1h";

  // Request body bytes held in memory at once, over all connections of
  // both HTTP ports and gRPC (each body counts from before it is read until
  // its answer). A request that does not fit is refused with 429 +
  // Retry-After / RESOURCE_EXHAUSTED instead of growing the process.
  // 0 = an eighth of physical memory, at least max_body_bytes. Decoding
  // runs on the http_threads, so it adds at most http_threads x a few
  // times max_body_bytes on top (docs/benchmarks.md, "Memory under hostile load").
  uint64_t max_inflight_bytes = 0;

  // Open connections per HTTP listener (OTLP/HTTP, query). At the limit a
  // listener stops accepting until one closes. 0 = derived from the
  // descriptor limit (RLIMIT_NOFILE, raised to its hard limit at start):
  // a third each of what remains after 128 kept for the store, the WALs
  // and gRPC, so a flood on one port leaves the other port answering.
  uint64_t max_connections = 0;
  // A new connection must send its request header within this; a
  // keep-alive connection idle longer than idle_timeout_seconds is closed.
  int header_timeout_seconds = 10;
  int idle_timeout_seconds = 120;

  // Spans + log records acknowledged (in the ingest WAL) but not yet
  // indexed into the store. When full, new batches are refused (429 +
  // Retry-After / RESOURCE_EXHAUSTED) rather than buffered: memory stays
  // bounded (a queued item, prepared for the store, takes a few hundred
  // bytes) and the client retries.
  // The indexer works in bursts (it shares two cores with flushes and
  // compactions): at 131072 (under half a second of ingest) clients were
  // told to retry after a second many times a minute although the indexer
  // kept up on average; 524288 absorbs those bursts for ~0.5 GB at most.
  uint64_t queue_size = 524'288;

  // Threads running the HTTP servers (both ports); they also decode and
  // convert export requests. writer_threads is accepted but ignored: one
  // indexer thread writes the store (its writes must stay in WAL order).
  int http_threads = 2;
  int writer_threads = 2;

  // fdatasync the ingest write-ahead log before acknowledging a batch
  // (concurrent batches share one sync). false: a process crash still loses
  // nothing acknowledged, a machine crash may lose the last moments.
  bool sync_writes = true;

  // Read every table file of the store once at start and refuse to start
  // on a bad checksum (callpathd check / repair). Costs one read of the
  // whole store per start; false finds a damaged table only when a query
  // or a compaction reads it.
  bool verify_store_on_start = true;

  // Keep per-minute statistics of every operation and log template at
  // ingest (the RED metrics endpoints, `callpath top`, and the baselines
  // cause-finding compares with). false saves their ingest cost (see
  // docs/benchmarks.md) and leaves those answers empty for the time it is
  // off.
  bool stats = true;

  // Retention of the embedded store in hours (0 = keep everything).
  uint64_t retention_hours = 72;

  // "debug", "info", "warn", "error".
  std::string log_level = "info";

  // API keys (docs/security.md): a file of salted key hashes written by
  // `callpathd key new`; reread on SIGHUP. Empty: no authentication, which
  // callpathd accepts only on loopback listeners unless `insecure`.
  std::string keys_file;
  // Serve every listener over TLS with this certificate chain and key (PEM;
  // reread on SIGHUP). With tls_client_ca, clients must present a
  // certificate signed by it (mutual TLS).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Per listener, overriding the three above for that listener (YAML keys
  // otlp_http_tls, otlp_grpc_tls, query_tls).
  ListenerTlsConfig otlp_http_tls;
  ListenerTlsConfig otlp_grpc_tls;
  ListenerTlsConfig query_tls;
  // Listen on non-loopback addresses without keys (or mutual TLS).
  bool insecure = false;
  // Redaction before storage (docs/security.md): a YAML file of detectors,
  // rules and per-service policies. Empty: the defaults (payment cards,
  // JWTs, bearer credentials and credentials in URLs are redacted).
  std::string redaction_config;
  // Extra names (comma-separated) the query port answers to in Host and
  // Origin, besides loopback names and its listen address.
  std::string allowed_hosts;
  // Front proxies (CIDR, "10.0.0.0/8", "::1/128"; a bare address is one
  // host) whose X-Scope-OrgID header (gRPC metadata x-scope-orgid) names
  // the tenant of a request, replacing the key's. From any other address
  // a request carrying that header is refused (403 / PERMISSION_DENIED).
  std::vector<std::string> trusted_proxies;
  // Per-tenant limits (YAML `tenant_defaults` and `tenants`).
  TenantLimitsConfig tenant_defaults;
  std::map<std::string, TenantLimitsConfig> tenants;

  // The limits of `tenant`: its own entry, else the defaults.
  const TenantLimitsConfig& LimitsOf(const std::string& tenant) const {
    auto it = tenants.find(tenant);
    return it == tenants.end() ? tenant_defaults : it->second;
  }
  // Tail-based sampling (YAML only: the `tail_sampling` section,
  // daemon/sampling/sampling_config.h, docs/scale-out.md). Off unless it
  // names policies.
  sampling::SamplingConfig tail_sampling;
  // Several nodes sharing the ingest (YAML `cluster` section, flag
  // --cluster-node for this node's name; daemon/cluster/cluster_config.h,
  // docs/scale-out.md "Several nodes"). Off unless it lists members.
  cluster::ClusterConfig cluster;
};

// Outcome of command-line parsing: either a config to run with, or a
// message to print and an exit code (for --help, --version and errors).
struct ParsedCommandLine {
  DaemonConfig config;
  bool exit_now = false;
  int exit_code = 0;
  std::string message;  // help text or error, printed by main
};

// Applies YAML text onto `cfg` (only keys present are changed).
// Unknown keys and wrong types are errors: a typo must not be ignored.
Status ApplyYaml(const std::string& yaml_text, DaemonConfig& cfg);

// Parses argv (with the environment as the middle layer). Never throws.
ParsedCommandLine ParseCommandLine(int argc, const char* const* argv);

// "30d", "12h", "90m", "45s", "0", "3600" (bare seconds) -> seconds.
Result<uint64_t> ParseDurationSeconds(std::string_view text);

// The value max_inflight_bytes = 0 stands for on this machine.
uint64_t DefaultMaxInflightBytes(uint64_t max_body_bytes);
// The value max_connections = 0 stands for, given the descriptor limit.
uint64_t DefaultMaxConnections(uint64_t descriptor_limit);

// Splits "host:port" / "[v6]:port"; false on a malformed value.
bool SplitHostPort(const std::string& hostport, std::string& host, uint16_t& port);

}  // namespace callpath::daemon
