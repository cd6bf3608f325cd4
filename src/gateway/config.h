// The gateway's configuration: what gateway.yaml says, checked.
//
//   listen: 127.0.0.1:8080
//   tls:                                  # HTTPS on `listen` (absent: plain HTTP)
//     cert_file: /etc/callpath/gateway.pem   # chain, server certificate first
//     key_file: /etc/callpath/gateway.key
//     client_ca_file: /etc/callpath/clients-ca.pem   # optional: clients need a certificate
//     admin: false                        # true: the admin port too, with the same files
//   admin_listen: 127.0.0.1:9901          # /metrics, /healthz
//   threads: 0                            # 0: one per core
//   service_name: gateway                 # else OTEL_SERVICE_NAME
//   propagators: [tracecontext, baggage]  # else OTEL_PROPAGATORS
//   tracing: {exporter: env}              # env (OTEL_TRACES_EXPORTER) | discard | none
//   access_log: {enabled: true, path: ""} # "" = stdout, JSON lines
//   max_body_bytes: 8388608               # one request or response body
//   max_inflight_bytes: 0                 # all request bodies at once; 0 = RAM / 8
//   routes:
//     - match: {path_prefix: /api/orders, host: shop.local}
//       upstream: orders
//       timeout: 2s
//       retries: {attempts: 2, on: [502, 503, 504, connect-failure, timeout], backoff: 50ms,
//                 budget_percent: 20, min_retry_concurrency: 3}
//       strip_prefix: true                # or a literal prefix to remove
//   upstreams:
//     orders:
//       endpoints: [127.0.0.1:9001, 127.0.0.1:9002]
//       health_check: {path: /healthz, interval: 2s, timeout: 500ms,
//                      unhealthy_after: 2, healthy_after: 1}
//       max_idle_connections: 32
//     payments:                           # TLS to the upstream
//       endpoints: [10.0.0.7:443]
//       tls: {ca_file: /etc/callpath/payments-ca.pem, server_name: payments.internal}
//   edge:                                 # what is taken from clients' trace context
//     trusted_clients: [10.0.0.0/8]       # default: none (every client untrusted)
//     baggage_allow: [request.priority]   # baggage keys kept from untrusted clients
//     max_traceparent_bytes: 128
//     max_tracestate_bytes: 512
//     max_tracestate_members: 32
//     max_baggage_bytes: 8192
//     max_baggage_entries: 180
//   admin_keys_file: /etc/callpath/keys    # keys with the admin scope open the admin port
//
// Errors: ParseConfig never throws; every problem is an InvalidArgument
// whose message starts with "<source>:<line>:<column>: " when the position
// is known, and names the offending key.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "gateway/ip_network.h"

namespace callpath::gateway {

using Millis = std::chrono::milliseconds;

struct HostPort {
  std::string host;  // IPv4/IPv6 literal or a name; IPv6 without brackets
  uint16_t port = 0;
  std::string ToString() const;  // "host:port", "[v6]:port"
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// When a failed attempt is tried again (see retry_policy.h for the rules).
struct RetryConfig {
  int attempts = 1;                 // total attempts, the first included; 1 = no retries
  std::vector<int> on_status;       // upstream status codes worth another attempt
  bool on_connect_failure = false;  // the request never reached the upstream
  bool on_timeout = false;          // no complete response within the route's timeout
  Millis backoff{0};                // wait before attempt n (n >= 2): backoff * 2^(n-2)
  // POST/PATCH/... are retried only when the request never left the gateway
  // (connect-failure), unless this is set: a retried POST may run twice.
  bool non_idempotent = false;
  // Retry budget (as Envoy's): requests of the upstream that are being
  // retried at once may be at most budget_percent of its requests in
  // flight, or min_retry_concurrency, whichever is more. Beyond, a failed
  // attempt is answered as it is: retries cannot multiply the load on an
  // upstream that is already failing.
  double budget_percent = 20;
  int min_retry_concurrency = 3;
};

struct Route {
  std::string path_prefix;  // matched on path-segment boundaries; "/" matches all
  std::string host;         // "" matches any Host; compared without the port, ignoring case
  std::string upstream;     // a key of Config::upstreams
  Millis timeout{15000};    // per attempt: connect + send + complete response
  RetryConfig retries;
  std::string strip_prefix;  // removed from the path before forwarding ("" = keep)
};

struct HealthCheckConfig {
  bool enabled = false;
  std::string path = "/healthz";
  Millis interval{2000};
  Millis timeout{500};
  int unhealthy_after = 2;  // consecutive failures that mark an endpoint down
  int healthy_after = 1;    // consecutive successes that bring it back
};

// TLS to an upstream. The upstream's certificate is always verified: its
// chain against ca_file ("" = the system's trust store) and its name
// against server_name (also sent as SNI); TLS 1.2 at least.
struct UpstreamTlsConfig {
  bool enabled = false;
  std::string ca_file;
  std::string server_name;  // "" = the endpoint's host as configured
};

struct UpstreamConfig {
  std::string name;
  std::vector<HostPort> endpoints;
  HealthCheckConfig health_check;
  int max_idle_connections = 32;  // per endpoint and worker thread
  UpstreamTlsConfig tls;  // `tls:` in the config, or https:// endpoints
};

// TLS on the client listener (`listen`). The files are read when the
// config is built, at start and on every SIGHUP, so renewed certificates
// apply to new connections without a restart. TLS 1.2 at least. With
// client_ca_file, a client must present a certificate that CA signed
// (mutual TLS) or its handshake fails.
struct ListenerTlsConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // "" = no client certificate asked for
  // The admin port (/metrics, /healthz) with the same files and client CA.
  // Off by default: a load balancer's health probe may not speak TLS or
  // hold a client certificate.
  bool admin = false;
  bool enabled() const noexcept { return !cert_file.empty(); }
};

struct TracingConfig {
  enum class Exporter { kEnvironment, kDiscard, kNone };
  // kEnvironment: OTEL_TRACES_EXPORTER and friends. kDiscard: spans are
  // recorded and handed to an exporter that drops them (measuring the cost
  // of tracing). kNone: nothing is recorded, context is still propagated.
  Exporter exporter = Exporter::kEnvironment;
};

struct AccessLogConfig {
  bool enabled = true;
  std::string path;  // "" = stdout
};

// What the gateway takes from a client's trace context (traceparent,
// tracestate, baggage and the other propagators' fields). A client outside
// trusted_clients cannot pick the trace id, force sampling or hand baggage
// to the services behind the gateway: its request starts a new trace, the
// context it sent is kept as a link on the SERVER span, and its baggage is
// dropped but for the allowed keys. A trusted client (a front proxy, an
// internal caller) continues its trace as sent.
struct EdgeConfig {
  std::vector<IpNetwork> trusted_clients;  // matched against the peer address
  std::vector<std::string> baggage_allow;  // keys kept from untrusted clients
  // Caps for every client; a field over its cap is ignored as if absent
  // (W3C Trace Context and Baggage limits; version-00 traceparent is 55
  // bytes, the extra room is for later versions).
  size_t max_traceparent_bytes = 128;
  size_t max_tracestate_bytes = 512;
  size_t max_tracestate_members = 32;
  size_t max_baggage_bytes = 8192;
  size_t max_baggage_entries = 180;
};

struct Config {
  std::string source;  // file name the config came from, for messages
  HostPort listen{"127.0.0.1", 8080};
  ListenerTlsConfig tls;            // on `listen` (and admin_listen with tls.admin)
  HostPort admin_listen;            // empty host = no admin server
  int threads = 0;                  // 0 = hardware concurrency
  std::string service_name;         // "" = OTEL_SERVICE_NAME / default
  std::vector<std::string> propagators;  // empty = OTEL_PROPAGATORS
  TracingConfig tracing;
  AccessLogConfig access_log;
  uint64_t max_body_bytes = 8 << 20;   // request and response bodies are buffered
  // Request body bytes buffered at once over all client connections; a
  // request that does not fit gets 503 + Retry-After before its body is
  // read. 0 = an eighth of physical memory (at least max_body_bytes). Set
  // at start; a reload does not change it.
  uint64_t max_inflight_bytes = 0;
  Millis client_idle_timeout{60000};   // keep-alive connections from clients
  std::vector<Route> routes;
  std::map<std::string, UpstreamConfig> upstreams;
  EdgeConfig edge;
  // Keys file in callpathd's format (`callpathd key new`); when set, the
  // admin port answers only requests with a key holding the admin scope
  // (/healthz stays open for probes). Read at start and on SIGHUP.
  std::string admin_keys_file;
};

// Parses and validates a config document. `source` names it in messages.
Result<Config> ParseConfig(std::string_view yaml, std::string_view source = "config");
// "10.0.0.0/8,::1" -> networks, for --trusted-clients (which replaces the
// file's edge.trusted_clients).
Status ParseTrustedClients(std::string_view comma_separated, std::vector<IpNetwork>& out);
// Reads `path` and parses it.
Result<Config> LoadConfigFile(const std::string& path);

// "250ms", "2s", "1.5s", "1m", "1h", "100us" (rounded up to 1 ms), or a bare
// number of milliseconds. Negative and absurd (> 1 day) values are errors.
Result<Millis> ParseDuration(std::string_view text);
// "127.0.0.1:8080", "localhost:80", "[::1]:9000"; the port is required.
Result<HostPort> ParseHostPort(std::string_view text);

}  // namespace callpath::gateway
