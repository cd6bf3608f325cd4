#include "daemon/daemon.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "daemon/auth/access_policy.h"
#include "daemon/auth/api_key.h"
#include "daemon/auth/authenticator.h"
#include "daemon/auth/exposure.h"
#include "daemon/auth/security_headers.h"
#include "daemon/cluster/router.h"
#include "daemon/ingest/durability_status.h"
#include "daemon/ingest/ingest_pipeline.h"
#include "daemon/metrics.h"
#include "daemon/receive/grpc_receiver.h"
#include "daemon/receive/http_server.h"
#include "daemon/receive/otlp_export.h"
#include "daemon/receive/log_push_receiver.h"
#include "daemon/receive/otlp_http_receiver.h"
#include "daemon/sampling/tail_sampler.h"
#include "ship/shipper.h"
#include "daemon/serve/query_api.h"
#include "daemon/serve/ui_assets.h"
#include "daemon/tenants/tenant_registry.h"
#include "store/clickhouse/clickhouse_store.h"
#include "store/rocksdb/rocksdb_store.h"

namespace callpath::daemon {

namespace {

// The store of `tenant` as the config names it, its files (and the
// ingest WAL's) in `dir`: the one place (with offline_commands.cc) that
// knows the backends. With ClickHouse every tenant has its own database.
// The tail samplers of every tenant's pipeline as one set of
// callpathd_sampling_* metrics (nothing when sampling is off).
void RenderSamplingMetrics(const TenantRegistry& tenants, std::string& out) {
  sampling::SamplerCounts sum;
  bool any = false;
  for (Tenant* t : tenants.All()) {
    if (const sampling::TailSampler* s = t->pipeline().sampler()) {
      sampling::AddCounts(s->counts(), &sum);
      any = true;
    }
  }
  if (any) sampling::RenderSamplerMetrics(sum, out);
}

Result<std::unique_ptr<store::Store>> OpenStore(const DaemonConfig& cfg, const std::string& tenant,
                                                const std::string& dir) {
  if (cfg.store == "clickhouse") {
    store::ClickHouseOptions co;
    co.url = cfg.clickhouse_url;
    co.database = ClickHouseDatabaseFor(cfg.clickhouse_database, tenant);
    co.cluster = cfg.clickhouse_cluster;
    co.writer_id = cfg.clickhouse_writer_id;
    co.tls_ca_file = cfg.clickhouse_ca;
    co.tls_cert_file = cfg.clickhouse_cert;
    co.tls_key_file = cfg.clickhouse_key;
    co.stats = cfg.stats;
    std::error_code ec;
    if (co.writer_id.empty()) {
      char host[256] = {};
      gethostname(host, sizeof host - 1);
      co.writer_id = std::string(host) + ":" + std::filesystem::absolute(dir, ec).string();
    } else if (!tenant.empty()) {
      co.writer_id += ":" + tenant;
    }
    return store::OpenClickHouseStore(co);
  }
  store::RocksDbOptions so;
  so.path = dir;
  so.sync_writes = cfg.sync_writes;
  so.verify_tables_on_open = cfg.verify_store_on_start;
  so.keep_stats = cfg.stats;
  return store::OpenRocksDbStore(so);
}

}  // namespace

struct Daemon::Impl {
  explicit Impl(DaemonConfig c) : cfg(std::move(c)) {}

  DaemonConfig cfg;
  DaemonMetrics metrics;
  std::unique_ptr<auth::Authenticator> auth;
  // One per listener: the global tls_* files unless the listener has its own.
  std::unique_ptr<TlsContextHolder> http_tls, grpc_tls, query_tls;
  std::unique_ptr<redact::Redactor> redactor;
  auth::TrustedProxies proxies;
  std::unique_ptr<ByteBudget> body_budget;
  // Every tenant's store and pipeline (the default tenant's in data_dir).
  std::unique_ptr<TenantRegistry> tenants;
  std::unique_ptr<ExportService> exporter;
  // With a cluster section: what the receivers hand requests to (it
  // forwards each trace to its owner); else they use `exporter` directly.
  // Kept until the daemon is destroyed: forwarded calls may still answer.
  std::unique_ptr<cluster::ClusterRouter> router;
  PeerIntake peer_intake;
  std::unique_ptr<IoRuntime> io;
  std::unique_ptr<OtlpHttpReceiver> otlp_http;
  std::unique_ptr<LogPushReceiver> log_push;  // Loki and Elasticsearch pushes, same port
  std::unique_ptr<QueryApi> query;
  std::unique_ptr<HttpServer> otlp_http_server;
  std::unique_ptr<HttpServer> query_server;
  std::unique_ptr<GrpcReceiver> grpc;
  // --ship-config: callpath-ship's loop on a thread of its own.
  std::unique_ptr<ship::Shipper> shipper;
  std::thread shipper_thread;
  std::atomic<bool> shipper_stop{false};
  BoundPorts ports;
  std::string http_host, grpc_host, query_host;
  std::atomic<bool> ready{false};
  bool started = false;
  bool stopped = false;

  // Retention runs in the background every few minutes.
  std::thread retention;
  std::mutex retention_mu;
  std::condition_variable retention_cv;
  bool retention_stop = false;

  // Starts following the files of cfg.ship_config, sending to this
  // daemon's own OTLP/HTTP port unless the file names an endpoint.
  Status StartShipper() {
    ship::ShipOptions o;
    CALLPATH_RETURN_IF_ERROR(ship::LoadShipConfigFile(cfg.ship_config, &o));
    if (o.endpoint.empty()) {
      if (ports.otlp_http == 0)
        return InvalidArgument("--ship-config without an endpoint needs the OTLP/HTTP listener");
      std::string host = http_host.starts_with("127.") || http_host == "localhost" ? http_host : "127.0.0.1";
      o.endpoint = "http://" + host + ":" + std::to_string(ports.otlp_http) + "/v1/logs";
    }
    CALLPATH_RETURN_IF_ERROR(ship::ValidateShipOptions(&o));
    shipper = std::make_unique<ship::Shipper>(std::move(o));
    shipper_thread = std::thread([this] {
      Status s = shipper->Run(shipper_stop);
      if (!s.ok()) std::fprintf(stderr, "callpathd: log shipping stopped: %s\n", s.ToString().c_str());
    });
    return Status::Ok();
  }

  // `with_metrics`: /metrics is served on the query port only (it needs a
  // query or admin key; the ingest ports take ingest keys).
  bool HandleOps(const HttpRequest& req, HttpResponse* resp, bool with_metrics) {
    std::string_view path = req.path();
    if (path == "/healthz") {
      resp->content_type = "text/plain";
      resp->body = "ok\n";
      return true;
    }
    if (path == "/readyz") {
      DurabilityStatus status = Durability();
      bool r = ready.load() && !status.refusing();
      resp->status = r ? 200 : 503;
      resp->content_type = "text/plain";
      resp->body = (r ? "ready\n" : "not ready\n") + status.ReadyDetail();
      return true;
    }
    if (path == "/metrics" && with_metrics) {
      resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
      const bool up = tenants && ready.load();
      resp->body = metrics.RenderPrometheus(up ? tenants->QueueDepth() : 0, up ? tenants->QueueCapacity() : 0,
                                            up ? tenants->StoredBytes() : 0);
      Durability().RenderMetrics(resp->body);
      if (up) {
        tenants->RenderMetrics(resp->body);
        RenderSamplingMetrics(*tenants, resp->body);
      }
      if (auth) auth::RenderAuthMetrics(auth->counters(), resp->body);
      if (router) router->RenderMetrics(resp->body);
      if (redactor) redactor->RenderMetrics(resp->body);
      return true;
    }
    return false;
  }

  Status LoadRedaction() {
    redact::RedactionConfig rc;
    if (!cfg.redaction_config.empty()) {
      std::ifstream in(cfg.redaction_config);
      if (!in) return InvalidArgument("cannot read --redaction-config " + cfg.redaction_config);
      std::stringstream text;
      text << in.rdbuf();
      Result<redact::RedactionConfig> parsed = redact::ParseRedactionYaml(text.str());
      if (!parsed.ok()) return InvalidArgument(cfg.redaction_config + ": " + parsed.status().message());
      rc = std::move(parsed).value();
    }
    Result<std::unique_ptr<redact::Redactor>> made = redact::Redactor::Make(std::move(rc));
    if (!made.ok()) return made.status();
    redactor = std::move(made).value();
    return Status::Ok();
  }

  // Loads the keys and applies the secure-by-default rule; prints its
  // warnings on stderr.
  Status CheckSecurity() {
    auth = std::make_unique<auth::Authenticator>(cfg.keys_file);
    CALLPATH_RETURN_IF_ERROR(auth->Reload());
    auto files_for = [&](const ListenerTlsConfig& l) {
      return l.cert.empty() ? TlsFiles{cfg.tls_cert, cfg.tls_key, cfg.tls_client_ca}
                            : TlsFiles{l.cert, l.key, l.client_ca};
    };
    http_tls = std::make_unique<TlsContextHolder>(files_for(cfg.otlp_http_tls));
    grpc_tls = std::make_unique<TlsContextHolder>(files_for(cfg.otlp_grpc_tls));
    query_tls = std::make_unique<TlsContextHolder>(files_for(cfg.query_tls));
    for (TlsContextHolder* h : {http_tls.get(), grpc_tls.get(), query_tls.get()}) CALLPATH_RETURN_IF_ERROR(h->Reload());
    const bool any_tls = http_tls->files().enabled() || grpc_tls->files().enabled() || query_tls->files().enabled();
    std::vector<auth::Listener> listeners = {{"--otlp-http-listen", cfg.otlp_http_listen, http_host},
                                             {"--otlp-grpc-listen", cfg.otlp_grpc_listen, grpc_host},
                                             {"--query-listen", cfg.query_listen, query_host}};
    auth::ExposureCheck check = auth::CheckExposure(listeners, auth->enabled(), any_tls,
                                                    !cfg.tls_client_ca.empty(), cfg.insecure);
    for (const std::string& w : check.warnings) std::fprintf(stderr, "callpathd: WARNING: %s\n", w.c_str());
    return check.status;
  }

  RequestGate Gate(auth::ListenerKind kind, ErrorResponder errors) {
    auth::HostPolicy hosts;
    if (kind == auth::ListenerKind::kQuery) {
      hosts.check = true;
      hosts.listen_host = query_host;
      hosts.loopback_listen = auth::IsLoopbackHost(query_host);
      std::string_view names = cfg.allowed_hosts;
      while (!names.empty()) {
        size_t comma = names.find(',');
        std::string name(names.substr(0, comma));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!name.empty()) hosts.allowed_names.push_back(name);
        if (comma == std::string_view::npos) break;
        names.remove_prefix(comma + 1);
      }
    }
    auto gate = std::make_shared<auth::HttpGate>(*auth, kind, std::move(hosts), std::move(errors), proxies);
    return [gate](HttpRequest& head, HttpResponse* deny) { return gate->Admit(head, deny); };
  }

  DurabilityStatus Durability() const { return tenants && ready.load() ? tenants->Durability() : DurabilityStatus{}; }

  // The trusted proxies, every tenant's limits and store: the default
  // tenant's and those found on disk are opened now (their WALs replayed
  // before any listener opens), the others when first used.
  Status OpenTenants(IngestOptions ingest) {
    Result<auth::TrustedProxies> parsed = auth::TrustedProxies::Parse(cfg.trusted_proxies);
    if (!parsed.ok()) return parsed.status();
    proxies = std::move(parsed).value();
    for (const auto& [name, limits] : cfg.tenants) {
      if (!auth::ValidTenant(name)) return InvalidArgument("tenants: '" + name + "' is not a tenant name (1-64 of A-Z a-z 0-9 _ . -)");
    }
    std::error_code ec;
    std::filesystem::create_directories(cfg.data_dir, ec);
    if (ec) return Unavailable("cannot create " + cfg.data_dir + ": " + ec.message());
    TenantRegistryOptions to;
    to.data_dir = cfg.data_dir;
    to.embedded = cfg.store != "clickhouse";
    to.open_store = [this](const std::string& tenant, const std::string& dir) { return OpenStore(cfg, tenant, dir); };
    to.ingest = std::move(ingest);
    to.defaults = cfg.tenant_defaults;
    to.tenants = cfg.tenants;
    to.retention_seconds = cfg.retention_hours * 3600ull;
    tenants = std::make_unique<TenantRegistry>(std::move(to), metrics);
    Status s = tenants->OpenExisting();
    if (!s.ok()) tenants.reset();  // stops and closes what was opened
    return s;
  }

  void RetentionLoop() {
    const auto period = std::chrono::minutes(5);
    std::unique_lock<std::mutex> lock(retention_mu);
    while (!retention_cv.wait_for(lock, period, [&] { return retention_stop; })) {
      lock.unlock();
      uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
      tenants->ApplyRetention(now);
      lock.lock();
    }
  }
};

Daemon::Daemon(DaemonConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Daemon::~Daemon() { (void)Stop(); }

Status Daemon::Start() {
  Impl& d = *impl_;
  if (d.started) return FailedPrecondition("Daemon::Start called twice");
  d.started = true;
  uint16_t http_port = 0, grpc_port = 0, query_port = 0;
  auto parse = [](const std::string& what, const std::string& v, std::string& host, uint16_t& port) {
    if (v.empty()) return Status::Ok();
    if (!SplitHostPort(v, host, port)) return InvalidArgument(what + " must be host:port, got '" + v + "'");
    return Status::Ok();
  };
  CALLPATH_RETURN_IF_ERROR(parse("--otlp-http-listen", d.cfg.otlp_http_listen, d.http_host, http_port));
  CALLPATH_RETURN_IF_ERROR(parse("--otlp-grpc-listen", d.cfg.otlp_grpc_listen, d.grpc_host, grpc_port));
  CALLPATH_RETURN_IF_ERROR(parse("--query-listen", d.cfg.query_listen, d.query_host, query_port));
  CALLPATH_RETURN_IF_ERROR(d.CheckSecurity());
  CALLPATH_RETURN_IF_ERROR(d.LoadRedaction());
  CALLPATH_RETURN_IF_ERROR(cluster::FinishClusterConfig(&d.cfg.cluster));
  if (d.cfg.cluster.enabled() && d.cfg.otlp_grpc_listen.empty()) {
    return InvalidArgument("cluster: peers forward to this node's OTLP/gRPC listener; --otlp-grpc-listen must be on");
  }

  IngestOptions io;
  io.capacity_items = d.cfg.queue_size;
  io.wal.sync = d.cfg.sync_writes;
  io.redactor = d.redactor.get();
  io.sampling = d.cfg.tail_sampling;
  io.limits.max_attributes = d.cfg.max_attributes;
  io.limits.max_attribute_value_bytes = d.cfg.max_attribute_bytes;
  Result<uint64_t> max_age = ParseDurationSeconds(d.cfg.max_item_age);
  if (!max_age.ok()) return InvalidArgument("--max-item-age: " + max_age.status().message());
  Result<uint64_t> max_future = ParseDurationSeconds(d.cfg.max_item_future);
  if (!max_future.ok()) return InvalidArgument("--max-item-future: " + max_future.status().message());
  io.limits.max_age_ns = max_age.value() * 1'000'000'000ull;
  io.limits.max_future_ns = max_future.value() * 1'000'000'000ull;
  CALLPATH_RETURN_IF_ERROR(d.OpenTenants(std::move(io)));
  d.exporter = std::make_unique<ExportService>(
      [registry = d.tenants.get()](std::string_view tenant) { return registry->ForIngest(tenant); }, d.metrics);
  ExportTarget* ingest = d.exporter.get();
  if (d.cfg.cluster.enabled()) {
    d.router = std::make_unique<cluster::ClusterRouter>(d.cfg.cluster, *d.exporter);
    d.peer_intake.local = d.exporter.get();
    d.peer_intake.key = d.cfg.cluster.key;
    ingest = d.router.get();
  }
  d.io = std::make_unique<IoRuntime>(d.cfg.http_threads);
  OpsHandler ingest_ops = [impl = &d](const HttpRequest& r, HttpResponse* out) {
    return impl->HandleOps(r, out, /*with_metrics=*/false);
  };
  OpsHandler ops = [impl = &d](const HttpRequest& r, HttpResponse* out) {
    return impl->HandleOps(r, out, /*with_metrics=*/true);
  };

  d.body_budget = std::make_unique<ByteBudget>(
      d.cfg.max_inflight_bytes != 0 ? d.cfg.max_inflight_bytes : DefaultMaxInflightBytes(d.cfg.max_body_bytes));
  d.metrics.body_budget = d.body_budget.get();
  uint64_t max_connections = d.cfg.max_connections;
  if (max_connections == 0) {
    rlimit nofile{};
    max_connections = DefaultMaxConnections(getrlimit(RLIMIT_NOFILE, &nofile) == 0 ? nofile.rlim_cur : 1024);
  }

  HttpServerOptions hso;
  hso.max_body_bytes = d.cfg.max_body_bytes;
  hso.body_budget = d.body_budget.get();
  hso.max_connections = max_connections;
  hso.header_timeout_seconds = d.cfg.header_timeout_seconds;
  hso.idle_timeout_seconds = d.cfg.idle_timeout_seconds;
  hso.counters = &d.metrics.otlp_http_server;
  Status s;
  if (!d.cfg.otlp_http_listen.empty()) {
    d.otlp_http = std::make_unique<OtlpHttpReceiver>(*ingest, d.metrics, d.cfg.max_body_bytes, ingest_ops);
    d.log_push = std::make_unique<LogPushReceiver>(*ingest, d.metrics, d.cfg.max_body_bytes);
    OtlpHttpReceiver* recv = d.otlp_http.get();
    LogPushReceiver* push = d.log_push.get();
    HttpServerOptions iso = hso;
    iso.gate = d.Gate(auth::ListenerKind::kIngest, &OtlpHttpReceiver::ErrorResponse);
    if (d.http_tls->files().enabled()) iso.tls = d.http_tls.get();
    d.otlp_http_server = std::make_unique<HttpServer>(
        *d.io, iso,
        [recv, push](HttpRequest&& r, Responder done) {
          if (LogPushReceiver::Handles(r.path())) return push->Handle(std::move(r), std::move(done));
          recv->Handle(std::move(r), std::move(done));
        },
        &OtlpHttpReceiver::ErrorResponse);
    s = d.otlp_http_server->Listen(d.http_host, http_port);
    if (s.ok()) d.ports.otlp_http = d.otlp_http_server->port();
  }
  if (s.ok() && !d.cfg.query_listen.empty()) {
    std::string ui = d.cfg.ui_dir.empty() ? DefaultUiDir() : d.cfg.ui_dir;
    McpOptions mcp;
    mcp.result_budget_bytes = d.cfg.mcp_result_bytes;
    mcp.loopback_only = d.query_host == "localhost" || d.query_host.starts_with("127.") || d.query_host == "::1";
    // Validated when the command line was parsed.
    if (auto skew = ParseDurationSeconds(d.cfg.max_clock_skew); skew.ok()) {
      mcp.assemble.max_clock_skew_ns = skew.value() * 1'000'000'000ull;
    }
    d.query = std::make_unique<QueryApi>(*d.tenants, d.metrics, ui, ops, 2, mcp);
    QueryApi* api = d.query.get();
    HttpServerOptions qso = hso;
    qso.max_body_bytes = 1 << 20;  // the query API takes no bodies but MCP's small JSON-RPC messages
    qso.counters = &d.metrics.query_server;
    qso.gate = d.Gate(auth::ListenerKind::kQuery, &QueryApi::ErrorResponse);
    if (d.query_tls->files().enabled()) qso.tls = d.query_tls.get();
    d.query_server = std::make_unique<HttpServer>(
        *d.io, qso,
        [api](HttpRequest&& r, Responder done) {
          api->Handle(std::move(r), [done = std::move(done)](HttpResponse resp) {
            auth::AddSecurityHeaders(resp);
            done(std::move(resp));
          });
        },
        &QueryApi::ErrorResponse);
    s = d.query_server->Listen(d.query_host, query_port);
    if (s.ok()) d.ports.query = d.query_server->port();
  }
  if (s.ok() && !d.cfg.otlp_grpc_listen.empty()) {
    d.grpc = std::make_unique<GrpcReceiver>(*ingest, d.metrics, d.cfg.max_body_bytes, d.body_budget.get(),
                                            d.auth.get(), &d.proxies, &d.peer_intake);
    s = d.grpc->Start(d.grpc_host, grpc_port, d.grpc_tls->files());
    if (s.ok()) d.ports.otlp_grpc = d.grpc->port();
  }
  if (!s.ok()) {
    (void)Stop();
    return s;
  }
  d.io->Start();
  if (!d.cfg.ship_config.empty()) {
    s = d.StartShipper();
    if (!s.ok()) {
      (void)Stop();
      return s;
    }
  }
  bool any_retention = d.cfg.retention_hours > 0 || d.cfg.tenant_defaults.retention_seconds > 0;
  for (const auto& [name, limits] : d.cfg.tenants) any_retention = any_retention || limits.retention_seconds > 0;
  if (any_retention) d.retention = std::thread([&d] { d.RetentionLoop(); });
  d.ready.store(true);
  return Status::Ok();
}

BoundPorts Daemon::ports() const { return impl_->ports; }

Status Daemon::Reload() {
  Impl& d = *impl_;
  if (!d.auth || !d.http_tls) return FailedPrecondition("callpathd is not running");
  Status s = d.auth->Reload();
  // gRPC rereads its files itself (its file watcher).
  for (TlsContextHolder* h : {d.http_tls.get(), d.query_tls.get()}) {
    Status t = h->Reload();
    if (s.ok()) s = t;
  }
  return s;
}

std::string Daemon::ListeningLine() const {
  const Impl& d = *impl_;
  auto show = [](const std::string& host, uint16_t port) {
    return port == 0 ? std::string("off") : host + ":" + std::to_string(port);
  };
  return "callpathd listening otlp_http=" + show(d.http_host, d.ports.otlp_http) +
         " otlp_grpc=" + show(d.grpc_host, d.ports.otlp_grpc) + " query=" + show(d.query_host, d.ports.query);
}

std::string Daemon::ReadyJson() const {
  const Impl& d = *impl_;
  auto show = [](const std::string& host, uint16_t port) {
    return port == 0 ? std::string("null") : "\"" + host + ":" + std::to_string(port) + "\"";
  };
  return "{\"otlp_http\":" + show(d.http_host, d.ports.otlp_http) + ",\"otlp_grpc\":" +
         show(d.grpc_host, d.ports.otlp_grpc) + ",\"query\":" + show(d.query_host, d.ports.query) +
         ",\"otlp_http_port\":" + std::to_string(d.ports.otlp_http) +
         ",\"otlp_grpc_port\":" + std::to_string(d.ports.otlp_grpc) +
         ",\"query_port\":" + std::to_string(d.ports.query) + ",\"pid\":" + std::to_string(::getpid()) + "}";
}

Status Daemon::Stop() {
  Impl& d = *impl_;
  if (d.stopped || !d.started) return Status::Ok();
  d.stopped = true;
  d.ready.store(false);
  // The shipper first: what it has not had acknowledged it reads again
  // after a restart (its checkpoint is behind).
  if (d.shipper_thread.joinable()) {
    d.shipper_stop.store(true);
    d.shipper_thread.join();
  }
  if (d.retention.joinable()) {
    {
      std::lock_guard<std::mutex> lock(d.retention_mu);
      d.retention_stop = true;
    }
    d.retention_cv.notify_all();
    d.retention.join();
  }
  // 1. No new connections or calls.
  if (d.otlp_http_server) d.otlp_http_server->Close();
  if (d.query_server) d.query_server->Close();
  // gRPC waits for running calls, which wait for the pipeline (still up).
  if (d.grpc) d.grpc->Shutdown();
  // 2. Everything queued reaches each tenant's WAL and store; HTTP clients
  //    get their answers while the server threads still run. No tenant
  //    is opened from here on.
  if (d.tenants) d.tenants->StopPipelines();
  if (d.io) {
    // A grace period for the last responses to be written out.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    d.io->Stop();  // no handler runs after this
  }
  d.query.reset();  // finishes queued queries (their answers go nowhere)
  d.otlp_http_server.reset();
  d.query_server.reset();
  d.grpc.reset();
  Status s;
  if (d.tenants) s = d.tenants->CloseStores();
  return s;
}

}  // namespace callpath::daemon
