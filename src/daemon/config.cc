#include "daemon/config.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "callpath/version.h"

namespace callpath::daemon {
namespace {

std::string Normalize(std::string key) {
  for (char& c : key) if (c == '-') c = '_';
  return key;
}

Status ReadListenerTls(const YAML::Node& node, const std::string& key, ListenerTlsConfig& out) {
  if (!node.IsMap()) return InvalidArgument("config key '" + key + "' must be a mapping {cert, key, client_ca}");
  for (const auto& kv : node) {
    std::string field = kv.first.as<std::string>();
    std::string* target = field == "cert" ? &out.cert : field == "key" ? &out.key
                          : field == "client_ca" ? &out.client_ca : nullptr;
    if (target == nullptr) return InvalidArgument("config key '" + key + "." + field + "' is unknown (cert, key, client_ca)");
    try {
      *target = kv.second.as<std::string>();
    } catch (const std::exception&) {
      return InvalidArgument("config key '" + key + "." + field + "' has the wrong type");
    }
  }
  if (out.cert.empty() != out.key.empty()) return InvalidArgument("config key '" + key + "' needs both cert and key");
  return Status::Ok();
}

// Applies the fields present in `node` onto `out` (a tenant starts from
// the defaults). Durations as for max_item_age.
Status ReadTenantLimits(const YAML::Node& node, const std::string& key, TenantLimitsConfig& out) {
  if (!node.IsMap()) return InvalidArgument("config key '" + key + "' must be a mapping of limits");
  for (const auto& kv : node) {
    std::string field;
    try {
      field = Normalize(kv.first.as<std::string>());
    } catch (const std::exception&) {
      return InvalidArgument("config key '" + key + "' must map names to values");
    }
    const std::string where = "config key '" + key + "." + field + "'";
    uint64_t* number = field == "ingest_rate"              ? &out.ingest_rate
                       : field == "ingest_burst"           ? &out.ingest_burst
                       : field == "max_stored_bytes"       ? &out.max_stored_bytes
                       : field == "max_concurrent_queries" ? &out.max_concurrent_queries
                                                           : nullptr;
    uint64_t* duration = field == "query_timeout" ? &out.query_timeout_seconds
                         : field == "retention"   ? &out.retention_seconds
                                                  : nullptr;
    try {
      if (number != nullptr) {
        *number = kv.second.as<uint64_t>();
      } else if (duration != nullptr) {
        Result<uint64_t> d = ParseDurationSeconds(kv.second.as<std::string>());
        if (!d.ok()) return InvalidArgument(where + ": " + d.status().message());
        *duration = d.value();
      } else {
        return InvalidArgument(where + " is unknown (ingest_rate, ingest_burst, max_stored_bytes, "
                               "max_concurrent_queries, query_timeout, retention)");
      }
    } catch (const std::exception&) {
      return InvalidArgument(where + " has the wrong type");
    }
  }
  return Status::Ok();
}

template <typename T>
Status Read(const YAML::Node& node, const std::string& key, T& out) {
  try {
    out = node.as<T>();
    return Status::Ok();
  } catch (const std::exception&) {
    return InvalidArgument("config key '" + key + "' has the wrong type");
  }
}

// Looks for --config in argv, then CALLPATHD_CONFIG: the file must be read
// before the flags are parsed so that flags can override it.
std::string FindConfigPath(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--config" && i + 1 < argc) return argv[i + 1];
    if (a.starts_with("--config=")) return std::string(a.substr(9));
  }
  if (const char* env = std::getenv("CALLPATHD_CONFIG"); env && *env) return env;
  return {};
}

}  // namespace

Status ApplyYaml(const std::string& yaml_text, DaemonConfig& cfg) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("config is not valid YAML: ") + e.what());
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) return InvalidArgument("config must be a YAML mapping of key: value");
  std::optional<YAML::Node> tenants;  // applied after the loop, over tenant_defaults wherever that key stands
  for (const auto& kv : root) {
    std::string key;
    try {
      key = Normalize(kv.first.as<std::string>());
    } catch (const std::exception&) {
      return InvalidArgument("config keys must be strings");
    }
    const YAML::Node& v = kv.second;
    Status s;
    if (key == "data_dir") s = Read(v, key, cfg.data_dir);
    else if (key == "store") s = Read(v, key, cfg.store);
    else if (key == "clickhouse_url") s = Read(v, key, cfg.clickhouse_url);
    else if (key == "clickhouse_database") s = Read(v, key, cfg.clickhouse_database);
    else if (key == "clickhouse_cluster") s = Read(v, key, cfg.clickhouse_cluster);
    else if (key == "clickhouse_writer_id") s = Read(v, key, cfg.clickhouse_writer_id);
    else if (key == "clickhouse_ca") s = Read(v, key, cfg.clickhouse_ca);
    else if (key == "clickhouse_cert") s = Read(v, key, cfg.clickhouse_cert);
    else if (key == "clickhouse_key") s = Read(v, key, cfg.clickhouse_key);
    else if (key == "otlp_grpc_listen") s = Read(v, key, cfg.otlp_grpc_listen);
    else if (key == "otlp_http_listen") s = Read(v, key, cfg.otlp_http_listen);
    else if (key == "query_listen") s = Read(v, key, cfg.query_listen);
    else if (key == "ui_dir") s = Read(v, key, cfg.ui_dir);
    else if (key == "ready_file") s = Read(v, key, cfg.ready_file);
    else if (key == "ship_config") s = Read(v, key, cfg.ship_config);
    else if (key == "max_body_bytes") s = Read(v, key, cfg.max_body_bytes);
    else if (key == "mcp_result_bytes") s = Read(v, key, cfg.mcp_result_bytes);
    else if (key == "max_clock_skew") s = Read(v, key, cfg.max_clock_skew);
    else if (key == "max_attributes") s = Read(v, key, cfg.max_attributes);
    else if (key == "max_attribute_bytes") s = Read(v, key, cfg.max_attribute_bytes);
    else if (key == "max_item_age") s = Read(v, key, cfg.max_item_age);
    else if (key == "max_item_future") s = Read(v, key, cfg.max_item_future);
    else if (key == "max_inflight_bytes") s = Read(v, key, cfg.max_inflight_bytes);
    else if (key == "max_connections") s = Read(v, key, cfg.max_connections);
    else if (key == "header_timeout_seconds") s = Read(v, key, cfg.header_timeout_seconds);
    else if (key == "idle_timeout_seconds") s = Read(v, key, cfg.idle_timeout_seconds);
    else if (key == "queue_size") s = Read(v, key, cfg.queue_size);
    else if (key == "http_threads") s = Read(v, key, cfg.http_threads);
    else if (key == "writer_threads") s = Read(v, key, cfg.writer_threads);
    else if (key == "sync_writes") s = Read(v, key, cfg.sync_writes);
    else if (key == "verify_store_on_start") s = Read(v, key, cfg.verify_store_on_start);
    else if (key == "stats") s = Read(v, key, cfg.stats);
    else if (key == "retention_hours") s = Read(v, key, cfg.retention_hours);
    else if (key == "log_level") s = Read(v, key, cfg.log_level);
    else if (key == "keys_file") s = Read(v, key, cfg.keys_file);
    else if (key == "tls_cert") s = Read(v, key, cfg.tls_cert);
    else if (key == "tls_key") s = Read(v, key, cfg.tls_key);
    else if (key == "tls_client_ca") s = Read(v, key, cfg.tls_client_ca);
    else if (key == "insecure") s = Read(v, key, cfg.insecure);
    else if (key == "otlp_http_tls") s = ReadListenerTls(v, key, cfg.otlp_http_tls);
    else if (key == "otlp_grpc_tls") s = ReadListenerTls(v, key, cfg.otlp_grpc_tls);
    else if (key == "query_tls") s = ReadListenerTls(v, key, cfg.query_tls);
    else if (key == "redaction_config") s = Read(v, key, cfg.redaction_config);
    else if (key == "allowed_hosts") s = Read(v, key, cfg.allowed_hosts);
    else if (key == "trusted_proxies" || key == "trusted_proxy") {
      s = v.IsScalar() ? Read(v, key, cfg.trusted_proxies.emplace_back()) : Read(v, key, cfg.trusted_proxies);
    }
    else if (key == "tenant_defaults") s = ReadTenantLimits(v, key, cfg.tenant_defaults);
    else if (key == "tenants") tenants = YAML::Node(v);
    else if (key == "tail_sampling") s = sampling::ParseSamplingConfig(v, &cfg.tail_sampling);
    else if (key == "cluster") s = cluster::ParseClusterConfig(v, &cfg.cluster);
    else return InvalidArgument("unknown config key '" + key + "'");
    CALLPATH_RETURN_IF_ERROR(s);
  }
  if (tenants) {
    if (!tenants->IsMap()) return InvalidArgument("config key 'tenants' must map tenant names to limits");
    for (const auto& kv : *tenants) {
      std::string name;
      try {
        name = kv.first.as<std::string>();
      } catch (const std::exception&) {
        return InvalidArgument("config key 'tenants' must map tenant names to limits");
      }
      TenantLimitsConfig limits = cfg.tenant_defaults;
      CALLPATH_RETURN_IF_ERROR(ReadTenantLimits(kv.second, "tenants." + name, limits));
      cfg.tenants[name] = limits;
    }
  }
  return Status::Ok();
}

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv) {
  ParsedCommandLine out;
  DaemonConfig& cfg = out.config;

  std::string config_path = FindConfigPath(argc, argv);
  if (!config_path.empty()) {
    std::ifstream in(config_path);
    if (!in) {
      out.exit_now = true;
      out.exit_code = 2;
      out.message = "cannot read config file " + config_path;
      return out;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    Status s = ApplyYaml(ss.str(), cfg);
    if (!s.ok()) {
      out.exit_now = true;
      out.exit_code = 2;
      out.message = config_path + ": " + s.message();
      return out;
    }
  }

  CLI::App app{"callpathd: OTLP collector with an embedded trace store and a query API"};
  app.set_version_flag("--version", std::string("callpathd ") + kVersion);
  std::string ignored_config;
  app.add_option("--config", ignored_config, "YAML config file (keys = flag names)")
      ->envname("CALLPATHD_CONFIG");
  auto opt = [&](const char* flag, auto& var, const char* help) {
    std::string env = "CALLPATHD_";
    for (const char* p = flag + 2; *p; ++p) env += *p == '-' ? '_' : static_cast<char>(std::toupper(*p));
    app.add_option(flag, var, help)->envname(env)->capture_default_str();
  };
  opt("--data-dir", cfg.data_dir, "store directory (and the ingest WAL's)");
  opt("--store", cfg.store, "rocksdb (embedded) | clickhouse");
  opt("--clickhouse-url", cfg.clickhouse_url, "ClickHouse HTTP endpoint(s), comma-separated: one per shard");
  opt("--clickhouse-database", cfg.clickhouse_database, "ClickHouse database (created if missing)");
  opt("--clickhouse-cluster", cfg.clickhouse_cluster, "ClickHouse cluster name: Distributed tables over its shards");
  opt("--clickhouse-writer-id", cfg.clickhouse_writer_id, "this node's writer id ('' = hostname:data-dir)");
  opt("--clickhouse-ca", cfg.clickhouse_ca, "CA file that verifies an https:// ClickHouse ('' = system trust store)");
  opt("--clickhouse-cert", cfg.clickhouse_cert, "client certificate for ClickHouse over TLS (with --clickhouse-key)");
  opt("--clickhouse-key", cfg.clickhouse_key, "client key for ClickHouse over TLS");
  opt("--otlp-grpc-listen", cfg.otlp_grpc_listen, "OTLP/gRPC host:port ('' = off)");
  opt("--otlp-http-listen", cfg.otlp_http_listen, "OTLP/HTTP host:port ('' = off)");
  opt("--query-listen", cfg.query_listen, "query API + UI host:port ('' = off)");
  opt("--ui-dir", cfg.ui_dir, "directory with the built UI");
  opt("--ready-file", cfg.ready_file, "write bound ports here as JSON once serving");
  opt("--ship-config", cfg.ship_config, "callpath-ship YAML: follow these log files in callpathd ('' = off)");
  opt("--max-body-bytes", cfg.max_body_bytes, "request body limit after decompression");
  opt("--mcp-result-bytes", cfg.mcp_result_bytes, "largest MCP tool result (bytes, at least 16384)");
  opt("--max-clock-skew", cfg.max_clock_skew, "largest clock-skew shift the trace endpoints make (10m, 0 = no limit)");
  opt("--max-attributes", cfg.max_attributes, "attributes per span, event, link or log record");
  opt("--max-attribute-bytes", cfg.max_attribute_bytes, "bytes of one attribute value");
  opt("--max-item-age", cfg.max_item_age,
      "reject items timestamped more than this before arrival (30d, 12h, 0 = no limit)");
  opt("--max-item-future", cfg.max_item_future, "reject items timestamped more than this after arrival (0 = no limit)");
  opt("--max-inflight-bytes", cfg.max_inflight_bytes,
      "request body bytes held in memory at once before 429 (0 = 1/8 of RAM)");
  opt("--max-connections", cfg.max_connections, "open connections per HTTP listener (0 = from the descriptor limit)");
  opt("--header-timeout-seconds", cfg.header_timeout_seconds, "a new connection must send its header within this");
  opt("--idle-timeout-seconds", cfg.idle_timeout_seconds, "close keep-alive connections idle longer than this");
  opt("--queue-size", cfg.queue_size, "spans+logs acknowledged but not yet indexed before 429");
  opt("--http-threads", cfg.http_threads, "HTTP server threads");
  opt("--writer-threads", cfg.writer_threads, "ignored (one indexer thread writes the store); kept for old configs");
  opt("--sync-writes", cfg.sync_writes, "fdatasync the ingest WAL before acknowledging (true|false)");
  opt("--verify-store-on-start", cfg.verify_store_on_start,
      "read every table file at start and refuse a damaged store (true|false)");
  opt("--stats", cfg.stats, "keep per-minute operation and log template statistics at ingest (true|false)");
  opt("--retention-hours", cfg.retention_hours, "drop data older than this (0 = never)");
  opt("--log-level", cfg.log_level, "debug|info|warn|error");
  opt("--keys-file", cfg.keys_file, "API key hashes (callpathd key new); reread on SIGHUP");
  opt("--tls-cert", cfg.tls_cert, "TLS certificate chain (PEM) for every listener");
  opt("--tls-key", cfg.tls_key, "TLS private key (PEM)");
  opt("--tls-client-ca", cfg.tls_client_ca, "require client certificates signed by this CA (mTLS)");
  app.add_flag("--insecure", cfg.insecure,
               "allow non-loopback listeners without API keys (anyone who can connect may write and read)")
      ->envname("CALLPATHD_INSECURE");
  opt("--redaction-config", cfg.redaction_config, "YAML redaction policy (default: cards, JWTs, bearer, URL credentials)");
  opt("--allowed-hosts", cfg.allowed_hosts, "extra Host/Origin names the query port answers to (comma-separated)");
  app.add_option("--trusted-proxy", cfg.trusted_proxies,
                 "CIDR of a front proxy whose X-Scope-OrgID names the tenant (repeatable)")
      ->envname("CALLPATHD_TRUSTED_PROXY")
      ->delimiter(',');
  opt("--cluster-node", cfg.cluster.node, "this node's name in the cluster section's members");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    out.exit_now = true;
    out.exit_code = e.get_exit_code();
    std::ostringstream os;
    if (e.get_name() == "CallForHelp" || e.get_name() == "CallForAllHelp") {
      os << app.help();
    } else if (e.get_name() == "CallForVersion") {
      os << e.what();
    } else {
      os << "callpathd: " << e.what() << "\nRun with --help for the options.";
    }
    out.message = os.str();
    return out;
  }
  if (cfg.http_threads < 1) cfg.http_threads = 1;
  if (cfg.writer_threads < 1) cfg.writer_threads = 1;
  auto fail = [&](const std::string& message) {
    out.exit_now = true;
    out.exit_code = 2;
    out.message = "callpathd: " + message;
  };
  if (cfg.max_body_bytes == 0) fail("--max-body-bytes must be > 0");
  if (cfg.store != "rocksdb" && cfg.store != "clickhouse") fail("--store must be rocksdb or clickhouse, got '" + cfg.store + "'");
  if (cfg.mcp_result_bytes < 16 * 1024) fail("--mcp-result-bytes must be at least 16384");
  for (auto [flag, value] : {std::pair{"--max-item-age", &cfg.max_item_age},
                             std::pair{"--max-item-future", &cfg.max_item_future},
                             std::pair{"--max-clock-skew", &cfg.max_clock_skew}}) {
    if (Result<uint64_t> d = ParseDurationSeconds(*value); !d.ok()) fail(std::string(flag) + ": " + d.status().message());
  }
  if (cfg.tls_cert.empty() != cfg.tls_key.empty()) fail("--tls-cert and --tls-key go together");
  if (!cfg.tls_client_ca.empty() && cfg.tls_cert.empty()) fail("--tls-client-ca needs --tls-cert and --tls-key");
  if (cfg.header_timeout_seconds < 1 || cfg.idle_timeout_seconds < 1) {
    fail("--header-timeout-seconds and --idle-timeout-seconds must be >= 1");
  }
  if (Status s = cluster::FinishClusterConfig(&cfg.cluster); !s.ok() && !out.exit_now) fail(s.message());
  return out;
}

Result<uint64_t> ParseDurationSeconds(std::string_view text) {
  const std::string shown(text);
  if (text.empty()) return InvalidArgument("empty duration (use e.g. 30d, 12h, 90m, 45s or 0)");
  uint64_t unit = 1;
  switch (text.back()) {
    case 'd': unit = 86400; break;
    case 'h': unit = 3600; break;
    case 'm': unit = 60; break;
    case 's': unit = 1; break;
    default: unit = 0;  // a bare number of seconds, or a unit we do not know
  }
  if (unit != 0) {
    text.remove_suffix(1);
  } else if (text.back() >= '0' && text.back() <= '9') {
    unit = 1;
  } else {
    return InvalidArgument("duration '" + shown + "' has an unknown unit (use d, h, m or s)");
  }
  if (text.empty()) return InvalidArgument("duration '" + shown + "' has no number");
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return InvalidArgument("duration '" + shown + "' is not a whole number with a unit");
    n = n * 10 + static_cast<uint64_t>(c - '0');
    // Far beyond any sensible window (about 300 years), and no overflow
    // once converted to nanoseconds.
    if (n * unit > 10'000'000'000ull) return InvalidArgument("duration '" + shown + "' is too long");
  }
  return n * unit;
}

uint64_t DefaultMaxInflightBytes(uint64_t max_body_bytes) {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  uint64_t physical = pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)
                                                 : 8ull << 30;
  return std::max(physical / 8, max_body_bytes);
}

uint64_t DefaultMaxConnections(uint64_t descriptor_limit) {
  // Kept for the store's files, the WAL segments and gRPC's sockets.
  constexpr uint64_t kReserved = 128;
  constexpr uint64_t kFloor = 16;
  if (descriptor_limit <= kReserved + 3 * kFloor) return kFloor;
  return std::max(kFloor, (descriptor_limit - kReserved) / 3);
}

bool SplitHostPort(const std::string& hostport, std::string& host, uint16_t& port) {
  size_t colon = hostport.rfind(':');
  if (colon == std::string::npos || colon + 1 >= hostport.size()) return false;
  std::string h = hostport.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) h = "0.0.0.0";
  unsigned long p = 0;
  for (size_t i = colon + 1; i < hostport.size(); ++i) {
    char c = hostport[i];
    if (c < '0' || c > '9') return false;
    p = p * 10 + static_cast<unsigned long>(c - '0');
    if (p > 65535) return false;
  }
  host = h;
  port = static_cast<uint16_t>(p);
  return true;
}

}  // namespace callpath::daemon
