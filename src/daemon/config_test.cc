#include "daemon/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace callpath::daemon {
namespace {

ParsedCommandLine Parse(std::vector<std::string> args) {
  std::vector<const char*> argv{"callpathd"};
  for (auto& a : args) argv.push_back(a.c_str());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

TEST(DaemonConfig, DefaultsMatchTheConventionalPorts) {
  auto p = Parse({});
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.otlp_grpc_listen, "127.0.0.1:4317");
  EXPECT_EQ(p.config.otlp_http_listen, "127.0.0.1:4318");
  EXPECT_EQ(p.config.query_listen, "127.0.0.1:16686");
  EXPECT_EQ(p.config.max_body_bytes, 64ull << 20);
  EXPECT_EQ(p.config.max_attributes, 128u);
  EXPECT_EQ(p.config.max_attribute_bytes, 65536u);
}

TEST(DaemonConfig, TailSamplingIsOffUnlessConfiguredWithPolicies) {
  DaemonConfig cfg;
  EXPECT_FALSE(cfg.tail_sampling.enabled());
  ASSERT_TRUE(ApplyYaml("tail_sampling: {decision_wait: 10s}\n", cfg).ok());
  EXPECT_FALSE(cfg.tail_sampling.enabled()) << "no policies: every span is stored";
}

TEST(DaemonConfig, TailSamplingReadsTheCollectorsPolicies) {
  DaemonConfig cfg;
  Status s = ApplyYaml(R"(
tail_sampling:
  decision_wait: 250ms
  max_traces: 1000
  decision_cache: 5000
  logs_follow_trace: false
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
    - {name: slow, type: latency, latency: {threshold_ms: 500, upper_threshold_ms: 60000}}
    - {name: some, type: probabilistic, probabilistic: {sampling_percentage: 12.5}}
    - {name: per-service, type: rate_limiting, rate_limiting: {spans_per_second: 200}}
    - name: vip-and-checkout
      type: and
      and:
        and_sub_policy:
          - {name: vip, type: string_attribute, string_attribute: {key: customer.tier, values: [gold]}}
          - {name: 5xx, type: numeric_attribute, numeric_attribute: {key: http.status_code, min_value: 500, max_value: 599}}
    - name: either
      type: composite
      composite:
        composite_sub_policy:
          - {type: always_sample}
)", cfg);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const sampling::SamplingConfig& t = cfg.tail_sampling;
  EXPECT_TRUE(t.enabled());
  EXPECT_EQ(t.decision_wait_ns, 250'000'000u);
  EXPECT_EQ(t.max_decision_wait_ns, 60'000'000'000u) << "the default, above 6 x decision_wait";
  EXPECT_EQ(t.max_traces, 1000u);
  EXPECT_EQ(t.decision_cache, 5000u);
  EXPECT_FALSE(t.logs_follow_trace);
  ASSERT_EQ(t.policies.size(), 6u);
  EXPECT_EQ(t.policies[0].name, "errors");
  EXPECT_EQ(t.policies[0].status_codes, std::vector<store::SpanStatus>{store::SpanStatus::kError});
  EXPECT_EQ(t.policies[1].threshold_ns, 500'000'000u);
  EXPECT_EQ(t.policies[1].upper_threshold_ns, 60'000'000'000u);
  EXPECT_DOUBLE_EQ(t.policies[2].sampling_percentage, 12.5);
  EXPECT_DOUBLE_EQ(t.policies[3].spans_per_second, 200);
  ASSERT_EQ(t.policies[4].sub_policies.size(), 2u);
  EXPECT_EQ(t.policies[4].sub_policies[0].values, std::vector<std::string>{"gold"});
  EXPECT_EQ(t.policies[4].sub_policies[1].min_value, 500);
  EXPECT_EQ(t.policies[5].type, sampling::PolicyType::kComposite);
  EXPECT_EQ(t.policies[5].sub_policies[0].name, "always_sample") << "named after its type by default";
}

TEST(DaemonConfig, TailSamplingMistakesAreErrorsThatNameTheKey) {
  auto error = [](const std::string& yaml) {
    DaemonConfig cfg;
    Status s = ApplyYaml(yaml, cfg);
    return s.ok() ? std::string("ok") : s.message();
  };
  EXPECT_NE(error("tail_sampling: {decison_wait: 1s}").find("decison_wait"), std::string::npos);
  EXPECT_NE(error("tail_sampling: {policies: [{type: sometimes}]}").find("sometimes"), std::string::npos);
  EXPECT_NE(error("tail_sampling: {policies: [{type: latency}]}").find("threshold_ms"), std::string::npos);
  EXPECT_NE(error("tail_sampling: {policies: [{type: probabilistic, probabilistic: {sampling_percentage: 120}}]}")
                .find("0..100"),
            std::string::npos);
  EXPECT_NE(error("tail_sampling: {policies: [{type: status_code, status_code: {status_codes: [BAD]}}]}")
                .find("BAD"),
            std::string::npos);
  EXPECT_NE(error("tail_sampling: {policies: [{type: latency, latency: {threshold_ms: 5, limit: 3}}]}")
                .find("latency.limit"),
            std::string::npos);
  EXPECT_NE(error("tail_sampling: {decision_wait: soon}").find("decision_wait"), std::string::npos);
  EXPECT_NE(error("tail_sampling: {max_traces: 0}").find("max_traces"), std::string::npos);
  EXPECT_NE(error("tail_sampling: {decision_wait: 10s, max_decision_wait: 5s}").find("max_decision_wait"),
            std::string::npos);
}

TEST(DaemonConfig, ItemLimitsComeFromFlagsAndYaml) {
  auto p = Parse({"--max-attributes", "32", "--max-attribute-bytes", "4096"});
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.max_attributes, 32u);
  EXPECT_EQ(p.config.max_attribute_bytes, 4096u);
  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("max_attributes: 7\nmax-attribute-bytes: 9\n", cfg).ok());
  EXPECT_EQ(cfg.max_attributes, 7u);
  EXPECT_EQ(cfg.max_attribute_bytes, 9u);
}

TEST(DaemonConfig, BoundsComeFromFlagsYamlAndTheEnvironment) {
  auto d = Parse({});
  ASSERT_FALSE(d.exit_now) << d.message;
  EXPECT_EQ(d.config.max_item_age, "30d");
  EXPECT_EQ(d.config.max_item_future, "1h");
  EXPECT_EQ(d.config.max_inflight_bytes, 0u);
  EXPECT_EQ(d.config.max_connections, 0u);
  EXPECT_EQ(d.config.header_timeout_seconds, 10);

  ::setenv("CALLPATHD_MAX_ITEM_AGE", "0", 1);
  auto p = Parse({"--max-item-future", "5m", "--max-inflight-bytes", "1000000", "--max-connections", "50",
                  "--header-timeout-seconds", "3", "--idle-timeout-seconds", "30"});
  ::unsetenv("CALLPATHD_MAX_ITEM_AGE");
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.max_item_age, "0");
  EXPECT_EQ(p.config.max_item_future, "5m");
  EXPECT_EQ(p.config.max_inflight_bytes, 1000000u);
  EXPECT_EQ(p.config.max_connections, 50u);
  EXPECT_EQ(p.config.header_timeout_seconds, 3);
  EXPECT_EQ(p.config.idle_timeout_seconds, 30);

  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("max_item_age: 7d\nmax-item-future: 0\nmax_inflight_bytes: 5\nmax_connections: 6\n"
                        "header_timeout_seconds: 2\nidle_timeout_seconds: 4\n",
                        cfg)
                  .ok());
  EXPECT_EQ(cfg.max_item_age, "7d");
  EXPECT_EQ(cfg.max_item_future, "0");
  EXPECT_EQ(cfg.max_inflight_bytes, 5u);
  EXPECT_EQ(cfg.max_connections, 6u);

  auto bad = Parse({"--max-item-age", "30 days"});
  EXPECT_TRUE(bad.exit_now);
  EXPECT_NE(bad.message.find("--max-item-age"), std::string::npos) << bad.message;
}

TEST(DaemonConfig, MaxClockSkewComesFromFlagYamlAndEnvironmentAndIsValidated) {
  EXPECT_EQ(Parse({}).config.max_clock_skew, "10m");
  EXPECT_EQ(Parse({"--max-clock-skew", "0"}).config.max_clock_skew, "0");
  ::setenv("CALLPATHD_MAX_CLOCK_SKEW", "30s", 1);
  auto env = Parse({});
  ::unsetenv("CALLPATHD_MAX_CLOCK_SKEW");
  EXPECT_EQ(env.config.max_clock_skew, "30s");
  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("max_clock_skew: 1h\n", cfg).ok());
  EXPECT_EQ(cfg.max_clock_skew, "1h");
  auto bad = Parse({"--max-clock-skew", "a while"});
  EXPECT_TRUE(bad.exit_now);
  EXPECT_NE(bad.message.find("--max-clock-skew"), std::string::npos) << bad.message;
}

TEST(DaemonConfig, McpResultBudgetComesFromFlagYamlAndEnvironment) {
  EXPECT_EQ(Parse({}).config.mcp_result_bytes, 64u * 1024);
  EXPECT_EQ(Parse({"--mcp-result-bytes", "32768"}).config.mcp_result_bytes, 32768u);
  ::setenv("CALLPATHD_MCP_RESULT_BYTES", "100000", 1);
  auto env = Parse({});
  ::unsetenv("CALLPATHD_MCP_RESULT_BYTES");
  EXPECT_EQ(env.config.mcp_result_bytes, 100000u);
  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("mcp_result_bytes: 20000\n", cfg).ok());
  EXPECT_EQ(cfg.mcp_result_bytes, 20000u);
  // Below 16 KiB not even one trace's header and a few spans would fit.
  auto small = Parse({"--mcp-result-bytes", "1000"});
  EXPECT_TRUE(small.exit_now);
  EXPECT_NE(small.message.find("--mcp-result-bytes"), std::string::npos) << small.message;
}

TEST(DaemonConfig, DurationsTakeAUnitOrBareSeconds) {
  EXPECT_EQ(ParseDurationSeconds("30d").value(), 30u * 86400);
  EXPECT_EQ(ParseDurationSeconds("12h").value(), 12u * 3600);
  EXPECT_EQ(ParseDurationSeconds("90m").value(), 90u * 60);
  EXPECT_EQ(ParseDurationSeconds("45s").value(), 45u);
  EXPECT_EQ(ParseDurationSeconds("3600").value(), 3600u);
  EXPECT_EQ(ParseDurationSeconds("0").value(), 0u);
  for (const char* bad : {"", "d", "1w", "-1h", "1.5h", "99999999999d"}) {
    EXPECT_FALSE(ParseDurationSeconds(bad).ok()) << bad;
  }
}

TEST(DaemonConfig, DefaultBoundsFollowTheMachine) {
  // A third each of what is left after the reserve, with a floor.
  EXPECT_EQ(DefaultMaxConnections(1024), (1024u - 128) / 3);
  EXPECT_EQ(DefaultMaxConnections(256), 42u);
  EXPECT_EQ(DefaultMaxConnections(64), 16u);
  // Never below one maximum body, else such a body could never be taken.
  EXPECT_GE(DefaultMaxInflightBytes(64ull << 20), 64ull << 20);
  EXPECT_GE(DefaultMaxInflightBytes(1ull << 50), 1ull << 50);
}

TEST(DaemonConfig, YamlThenEnvironmentThenFlags) {
  // Unique per process (parallel runs), removed at the end.
  std::string path = ::testing::TempDir() + "/callpathd-config-test-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream f(path);
    f << "data_dir: /from/yaml\nqueue-size: 10\nquery_listen: 0.0.0.0:1\nsync_writes: false\n"
      << "verify_store_on_start: false\n";
  }
  ::setenv("CALLPATHD_QUEUE_SIZE", "20", 1);
  ::setenv("CALLPATHD_QUERY_LISTEN", "127.0.0.1:2", 1);
  auto p = Parse({"--config", path, "--query-listen", "127.0.0.1:3"});
  ::unsetenv("CALLPATHD_QUEUE_SIZE");
  ::unsetenv("CALLPATHD_QUERY_LISTEN");
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.data_dir, "/from/yaml");        // file only
  EXPECT_EQ(p.config.queue_size, 20u);                // env beats file
  EXPECT_EQ(p.config.query_listen, "127.0.0.1:3");    // flag beats env
  EXPECT_FALSE(p.config.sync_writes);
  EXPECT_FALSE(p.config.verify_store_on_start);
  std::remove(path.c_str());
}

TEST(DaemonConfig, StatisticsCanBeTurnedOffByFileEnvironmentOrFlag) {
  EXPECT_TRUE(Parse({}).config.stats);
  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("stats: false\n", cfg).ok());
  EXPECT_FALSE(cfg.stats);
  EXPECT_FALSE(ApplyYaml("stats: sometimes\n", cfg).ok());
  ::setenv("CALLPATHD_STATS", "false", 1);
  EXPECT_FALSE(Parse({}).config.stats);
  EXPECT_TRUE(Parse({"--stats", "true"}).config.stats);  // the flag beats the environment
  ::unsetenv("CALLPATHD_STATS");
  EXPECT_FALSE(Parse({"--stats", "false"}).config.stats);
}

TEST(DaemonConfig, TheClickHouseStoreIsChosenByFlagOrYaml) {
  auto p = Parse({});
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.store, "rocksdb");
  p = Parse({"--store", "clickhouse", "--clickhouse-url", "http://ch1:8123,http://ch2:8123",
             "--clickhouse-database", "traces", "--clickhouse-cluster", "two", "--clickhouse-writer-id", "node1"});
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.store, "clickhouse");
  EXPECT_EQ(p.config.clickhouse_url, "http://ch1:8123,http://ch2:8123");
  EXPECT_EQ(p.config.clickhouse_database, "traces");
  EXPECT_EQ(p.config.clickhouse_cluster, "two");
  EXPECT_EQ(p.config.clickhouse_writer_id, "node1");
  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("store: clickhouse\nclickhouse-url: http://ch:8123\n", cfg).ok());
  EXPECT_EQ(cfg.store, "clickhouse");
  EXPECT_EQ(cfg.clickhouse_url, "http://ch:8123");
  p = Parse({"--store", "cassandra"});
  EXPECT_TRUE(p.exit_now);
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.message.find("--store must be rocksdb or clickhouse"), std::string::npos) << p.message;
}

TEST(DaemonConfig, ClickHouseTlsFilesByFlagOrYaml) {
  auto p = Parse({"--store", "clickhouse", "--clickhouse-url", "https://ch:8443", "--clickhouse-ca",
                  "/etc/ca.pem", "--clickhouse-cert", "/etc/c.pem", "--clickhouse-key", "/etc/c.key"});
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.clickhouse_ca, "/etc/ca.pem");
  EXPECT_EQ(p.config.clickhouse_cert, "/etc/c.pem");
  EXPECT_EQ(p.config.clickhouse_key, "/etc/c.key");
  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("clickhouse_ca: /a.pem\nclickhouse-cert: /b.pem\nclickhouse_key: /b.key\n", cfg).ok());
  EXPECT_EQ(cfg.clickhouse_ca, "/a.pem");
  EXPECT_EQ(cfg.clickhouse_cert, "/b.pem");
  EXPECT_EQ(cfg.clickhouse_key, "/b.key");
}

TEST(DaemonConfig, MistakesAreReportedNotIgnored) {
  DaemonConfig cfg;
  EXPECT_FALSE(ApplyYaml("data_dirr: x\n", cfg).ok());
  EXPECT_FALSE(ApplyYaml("queue_size: lots\n", cfg).ok());
  EXPECT_FALSE(ApplyYaml("- a list\n", cfg).ok());
  EXPECT_FALSE(ApplyYaml("key: [unclosed\n", cfg).ok());
  EXPECT_TRUE(ApplyYaml("", cfg).ok());
  auto p = Parse({"--no-such-flag"});
  EXPECT_TRUE(p.exit_now);
  EXPECT_NE(p.exit_code, 0);
  p = Parse({"--help"});
  EXPECT_TRUE(p.exit_now);
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_NE(p.message.find("--data-dir"), std::string::npos);
}

TEST(DaemonConfig, SplitHostPort) {
  std::string host;
  uint16_t port = 1;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:0", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(SplitHostPort("[::1]:4317", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 4317);
  ASSERT_TRUE(SplitHostPort(":4318", host, port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(SplitHostPort("localhost", host, port));
  EXPECT_FALSE(SplitHostPort("h:70000", host, port));
  EXPECT_FALSE(SplitHostPort("h:12a", host, port));
}

}  // namespace
}  // namespace callpath::daemon

namespace callpath::daemon {
namespace {

TEST(DaemonConfig, SecurityKeysAndPerListenerTls) {
  DaemonConfig cfg;
  ASSERT_TRUE(ApplyYaml("keys_file: /k\ntls_cert: /c\ntls_key: /p\ninsecure: true\n"
                        "query_tls: {cert: /qc, key: /qk, client_ca: /ca}\nredaction_config: /r\n",
                        cfg)
                  .ok());
  EXPECT_EQ(cfg.keys_file, "/k");
  EXPECT_TRUE(cfg.insecure);
  EXPECT_EQ(cfg.query_tls.cert, "/qc");
  EXPECT_EQ(cfg.query_tls.client_ca, "/ca");
  EXPECT_TRUE(cfg.otlp_http_tls.cert.empty());
  EXPECT_EQ(cfg.redaction_config, "/r");
  DaemonConfig fresh;
  EXPECT_FALSE(ApplyYaml("query_tls: {cert: /qc}\n", fresh).ok());  // no key
  EXPECT_FALSE(ApplyYaml("query_tls: {crt: /qc, key: /k}\n", fresh).ok());
  EXPECT_FALSE(ApplyYaml("query_tls: /qc\n", fresh).ok());
}

TEST(DaemonConfig, TenantLimitsStartFromTheDefaultsWhereverTheyStand) {
  DaemonConfig cfg;
  Status s = ApplyYaml("tenants:\n"
                       "  shop: {ingest_rate: 500, query_timeout: 30s}\n"
                       "  bank: {retention: 7d, max_stored_bytes: 1000}\n"
                       "tenant_defaults: {max_concurrent_queries: 3, ingest_burst: 50}\n"
                       "trusted_proxies: [10.0.0.0/8, \"::1\"]\n",
                       cfg);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(cfg.LimitsOf("shop").ingest_rate, 500u);
  EXPECT_EQ(cfg.LimitsOf("shop").ingest_burst, 50u);
  EXPECT_EQ(cfg.LimitsOf("shop").query_timeout_seconds, 30u);
  EXPECT_EQ(cfg.LimitsOf("shop").max_concurrent_queries, 3u);
  EXPECT_EQ(cfg.LimitsOf("bank").retention_seconds, 7u * 86400);
  EXPECT_EQ(cfg.LimitsOf("bank").max_stored_bytes, 1000u);
  EXPECT_EQ(cfg.LimitsOf("bank").query_timeout_seconds, 60u);  // the built-in default
  EXPECT_EQ(cfg.LimitsOf("other").ingest_rate, 0u);
  EXPECT_EQ(cfg.LimitsOf("other").max_concurrent_queries, 3u);
  EXPECT_EQ(cfg.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  DaemonConfig fresh;
  EXPECT_FALSE(ApplyYaml("tenants: {shop: {ingest_speed: 5}}\n", fresh).ok());
  EXPECT_FALSE(ApplyYaml("tenants: {shop: {query_timeout: soon}}\n", fresh).ok());
  EXPECT_FALSE(ApplyYaml("tenant_defaults: 5\n", fresh).ok());
}

TEST(DaemonConfig, TrustedProxyFlagRepeats) {
  auto p = Parse({"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "192.168.0.1"});
  ASSERT_FALSE(p.exit_now) << p.message;
  EXPECT_EQ(p.config.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "192.168.0.1"}));
}

}  // namespace
}  // namespace callpath::daemon
