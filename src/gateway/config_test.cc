#include "gateway/config.h"

#include <gtest/gtest.h>

namespace callpath::gateway {
namespace {

constexpr const char* kFull = R"(listen: 127.0.0.1:8080
admin_listen: 127.0.0.1:9901
threads: 4
service_name: gateway
propagators: [tracecontext, Baggage]
tracing: {exporter: discard}
access_log: {enabled: false}
max_inflight_bytes: 100000000
routes:
  - match: {path_prefix: /api/orders, host: Shop.Local}
    upstream: orders
    timeout: 2s
    retries: {attempts: 3, on: [502, 503, 504, connect-failure, timeout], backoff: 50ms,
              budget_percent: 30, min_retry_concurrency: 5}
    strip_prefix: true
  - match: {path_prefix: /}
    upstream: web
upstreams:
  orders:
    endpoints: [127.0.0.1:9001, "[::1]:9002"]
    health_check: {path: /health, interval: 1s, timeout: 200ms, unhealthy_after: 3, healthy_after: 2}
    max_idle_connections: 8
  web:
    endpoints: [localhost:9003]
)";

Config MustParse(std::string_view yaml) {
  Result<Config> c = ParseConfig(yaml, "gw.yaml");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : Config{};
}

std::string ErrorOf(std::string_view yaml) {
  Result<Config> c = ParseConfig(yaml, "gw.yaml");
  EXPECT_FALSE(c.ok());
  return c.ok() ? std::string() : c.status().message();
}

TEST(GatewayConfig, ParsesEveryField) {
  Config c = MustParse(kFull);
  EXPECT_EQ(c.listen, (HostPort{"127.0.0.1", 8080}));
  EXPECT_EQ(c.admin_listen, (HostPort{"127.0.0.1", 9901}));
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.service_name, "gateway");
  EXPECT_EQ(c.propagators, (std::vector<std::string>{"tracecontext", "baggage"}));
  EXPECT_EQ(c.tracing.exporter, TracingConfig::Exporter::kDiscard);
  EXPECT_FALSE(c.access_log.enabled);
  ASSERT_EQ(c.routes.size(), 2u);
  const Route& r = c.routes[0];
  EXPECT_EQ(r.path_prefix, "/api/orders");
  EXPECT_EQ(r.host, "shop.local");
  EXPECT_EQ(r.upstream, "orders");
  EXPECT_EQ(r.timeout, Millis(2000));
  EXPECT_EQ(r.retries.attempts, 3);
  EXPECT_EQ(r.retries.budget_percent, 30);
  EXPECT_EQ(r.retries.min_retry_concurrency, 5);
  EXPECT_EQ(c.max_inflight_bytes, 100000000u);
  EXPECT_EQ(c.routes[1].retries.budget_percent, 20);  // Envoy's defaults
  EXPECT_EQ(c.routes[1].retries.min_retry_concurrency, 3);
  EXPECT_EQ(r.retries.on_status, (std::vector<int>{502, 503, 504}));
  EXPECT_TRUE(r.retries.on_connect_failure);
  EXPECT_TRUE(r.retries.on_timeout);
  EXPECT_EQ(r.retries.backoff, Millis(50));
  EXPECT_EQ(r.strip_prefix, "/api/orders");
  EXPECT_EQ(c.routes[1].retries.attempts, 1);
  EXPECT_EQ(c.routes[1].strip_prefix, "");
  const UpstreamConfig& o = c.upstreams.at("orders");
  ASSERT_EQ(o.endpoints.size(), 2u);
  EXPECT_EQ(o.endpoints[1], (HostPort{"::1", 9002}));
  EXPECT_TRUE(o.health_check.enabled);
  EXPECT_EQ(o.health_check.path, "/health");
  EXPECT_EQ(o.health_check.interval, Millis(1000));
  EXPECT_EQ(o.health_check.timeout, Millis(200));
  EXPECT_EQ(o.health_check.unhealthy_after, 3);
  EXPECT_EQ(o.health_check.healthy_after, 2);
  EXPECT_EQ(o.max_idle_connections, 8);
  EXPECT_FALSE(c.upstreams.at("web").health_check.enabled);
}

TEST(GatewayConfig, Durations) {
  EXPECT_EQ(*ParseDuration("250ms"), Millis(250));
  EXPECT_EQ(*ParseDuration("2s"), Millis(2000));
  EXPECT_EQ(*ParseDuration("1.5s"), Millis(1500));
  EXPECT_EQ(*ParseDuration("1m"), Millis(60000));
  EXPECT_EQ(*ParseDuration("100us"), Millis(1));
  EXPECT_EQ(*ParseDuration("40"), Millis(40));
  for (const char* bad : {"", "s", "2x", "-1s", "1.2.3s", "2 s", "2secs", "25h"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(GatewayConfig, Addresses) {
  EXPECT_EQ(*ParseHostPort("localhost:80"), (HostPort{"localhost", 80}));
  EXPECT_EQ(*ParseHostPort("[::1]:0"), (HostPort{"::1", 0}));
  EXPECT_EQ((HostPort{"::1", 5}).ToString(), "[::1]:5");
  for (const char* bad : {"", "host", ":80", "h:", "h:65536", "h:8x", "::1:80", "[::1]80",
                          "[[]:5", "a b:1", "[]:1"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
}

TEST(GatewayConfig, UnknownUpstreamNamesTheLine) {
  std::string e = ErrorOf("listen: 127.0.0.1:1\nroutes:\n  - match: {path_prefix: /}\n"
                          "    upstream: nope\nupstreams:\n  web: {endpoints: [127.0.0.1:2]}\n");
  EXPECT_NE(e.find("gw.yaml:4:15:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown upstream 'nope'"), std::string::npos) << e;
  EXPECT_NE(e.find("defined: web"), std::string::npos) << e;
}

TEST(GatewayConfig, BadDurationNamesKeyAndLine) {
  std::string e = ErrorOf("listen: 127.0.0.1:1\nroutes:\n  - match: {path_prefix: /}\n"
                          "    upstream: web\n    timeout: 2 seconds\n"
                          "upstreams:\n  web: {endpoints: [127.0.0.1:2]}\n");
  EXPECT_NE(e.find("gw.yaml:5:14:"), std::string::npos) << e;
  EXPECT_NE(e.find("routes[0].timeout"), std::string::npos) << e;
  EXPECT_NE(e.find("bad duration '2 seconds'"), std::string::npos) << e;
}

TEST(GatewayConfig, YamlSyntaxErrorHasPosition) {
  std::string e = ErrorOf("listen: 127.0.0.1:1\nroutes: [\n");
  EXPECT_NE(e.find("gw.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
}

TEST(GatewayConfig, RejectsTyposAndMissingParts) {
  const std::string up = "upstreams:\n  web: {endpoints: [127.0.0.1:2]}\n";
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\nroutes:\n  - match: {path_prefix: /}\n"
                    "    upstream: web\n    retires: {attempts: 2}\n" + up)
                .find("unknown key 'retires'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("routes:\n  - match: {path_prefix: /}\n    upstream: web\n" + up)
                .find("'listen' is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\n" + up).find("at least one route"), std::string::npos);
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\nroutes:\n  - upstream: web\n" + up)
                .find("needs match.path_prefix"),
            std::string::npos);
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\nroutes:\n  - match: {path_prefix: api}\n"
                    "    upstream: web\n" + up)
                .find("must start with '/'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\nroutes:\n  - match: {path_prefix: /}\n"
                    "    upstream: web\nupstreams:\n  web: {endpoints: []}\n")
                .find("at least one endpoint"),
            std::string::npos);
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\nroutes:\n  - match: {path_prefix: /}\n"
                    "    upstream: web\n    retries: {attempts: 2, on: [teapot]}\n" + up)
                .find("unknown retry condition 'teapot'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\npropagators: [w3c]\nroutes:\n"
                    "  - match: {path_prefix: /}\n    upstream: web\n" + up)
                .find("unknown propagator 'w3c'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\nroutes:\n  - match: {path_prefix: /, host: 'a:80'}\n"
                    "    upstream: web\n" + up)
                .find("host name without port"),
            std::string::npos);
  EXPECT_NE(ErrorOf("listen: 127.0.0.1:1\nthreads: lots\nroutes:\n"
                    "  - match: {path_prefix: /}\n    upstream: web\n" + up)
                .find("threads must be an integer"),
            std::string::npos);
}

TEST(GatewayConfig, MalformedDocumentsNeverThrow) {
  for (const char* doc : {"", "---", "[1, 2]", "listen: [", "listen: {a: b}", "routes: 7",
                          "\t\tfoo", "listen: 127.0.0.1:1\nroutes: [{match: 5}]",
                          "listen: 127.0.0.1:1\nupstreams: {a: {endpoints: 5}}",
                          "? [a, b]\n: c", "&a [*a]", "listen: *unknown"}) {
    EXPECT_FALSE(ParseConfig(doc, "x").ok()) << doc;
  }
  std::string deep(5000, '[');
  EXPECT_FALSE(ParseConfig(deep, "x").ok());
}

}  // namespace
}  // namespace callpath::gateway

namespace callpath::gateway {
namespace {

TEST(GatewayConfig, UpstreamTlsFromHttpsEndpointsOrTheTlsSection) {
  Result<Config> c = ParseConfig(R"(listen: 127.0.0.1:8080
routes: [{match: {path_prefix: /a}, upstream: a}, {match: {path_prefix: /b}, upstream: b}]
upstreams:
  a: {endpoints: ["https://127.0.0.1:8443"]}
  b: {endpoints: [127.0.0.1:9000], tls: {ca_file: /etc/hostname, server_name: b.internal}}
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->upstreams.at("a").tls.enabled);
  EXPECT_EQ(c->upstreams.at("a").endpoints[0].ToString(), "127.0.0.1:8443");
  EXPECT_TRUE(c->upstreams.at("b").tls.enabled);
  EXPECT_EQ(c->upstreams.at("b").tls.ca_file, "/etc/hostname");
  EXPECT_EQ(c->upstreams.at("b").tls.server_name, "b.internal");

  for (const char* bad : {
           "u: {endpoints: [127.0.0.1:1], tls: {ca_file: /nonexistent/ca.pem}}",
           "u: {endpoints: [127.0.0.1:1], tls: {verify: false}}",
           "u: {endpoints: [\"https://127.0.0.1:1\"], health_check: {path: /healthz}}"}) {
    const std::string yaml = std::string("listen: 127.0.0.1:8080\n"
                                         "routes: [{match: {path_prefix: /}, upstream: u}]\n"
                                         "upstreams:\n  ") + bad + "\n";
    EXPECT_FALSE(ParseConfig(yaml).ok()) << bad;
  }
}

constexpr const char* kOneRoute = R"(
routes:
  - match: {path_prefix: /}
    upstream: web
upstreams:
  web:
    endpoints: [127.0.0.1:9003]
)";

TEST(GatewayConfig, ListenerTlsSectionNamesTheServerFiles) {
  Config c = MustParse(std::string("listen: 127.0.0.1:8443\n"
                                   "tls: {cert_file: gw.pem, key_file: gw.key, "
                                   "client_ca_file: clients.pem, admin: true}") + kOneRoute);
  EXPECT_TRUE(c.tls.enabled());
  EXPECT_EQ(c.tls.cert_file, "gw.pem");
  EXPECT_EQ(c.tls.key_file, "gw.key");
  EXPECT_EQ(c.tls.client_ca_file, "clients.pem");
  EXPECT_TRUE(c.tls.admin);
  EXPECT_FALSE(MustParse(std::string("listen: 127.0.0.1:8080") + kOneRoute).tls.enabled());
}

TEST(GatewayConfig, ListenerTlsNeedsCertificateAndKey) {
  EXPECT_NE(ErrorOf(std::string("listen: 127.0.0.1:8443\ntls: {cert_file: gw.pem}") + kOneRoute)
                .find("tls needs both cert_file and key_file"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string("listen: 127.0.0.1:8443\n"
                                "tls: {cert_file: a, key_file: b, ca_file: c}") + kOneRoute)
                .find("ca_file"),
            std::string::npos);
}

}  // namespace
}  // namespace callpath::gateway
