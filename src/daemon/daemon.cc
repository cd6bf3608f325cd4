#include "daemon/daemon.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "daemon/ingest/durability_status.h"
#include "daemon/ingest/ingest_pipeline.h"
#include "daemon/metrics.h"
#include "daemon/receive/grpc_receiver.h"
#include "daemon/receive/http_server.h"
#include "daemon/receive/otlp_export.h"
#include "daemon/receive/otlp_http_receiver.h"
#include "daemon/serve/query_api.h"
#include "daemon/serve/ui_assets.h"
#include "store/clickhouse/clickhouse_store.h"
#include "store/rocksdb/rocksdb_store.h"

namespace callpath::daemon {

namespace {

// The store the config names: the one place (with offline_commands.cc)
// that knows the backends.
Result<std::unique_ptr<store::Store>> OpenStore(const DaemonConfig& cfg) {
  if (cfg.store == "clickhouse") {
    std::error_code ec;
    std::filesystem::create_directories(cfg.data_dir, ec);  // the ingest WAL lives there
    if (ec) return Unavailable("cannot create " + cfg.data_dir + ": " + ec.message());
    store::ClickHouseOptions co;
    co.url = cfg.clickhouse_url;
    co.database = cfg.clickhouse_database;
    co.cluster = cfg.clickhouse_cluster;
    co.writer_id = cfg.clickhouse_writer_id;
    co.stats = cfg.stats;
    if (co.writer_id.empty()) {
      char host[256] = {};
      gethostname(host, sizeof host - 1);
      co.writer_id = std::string(host) + ":" + std::filesystem::absolute(cfg.data_dir, ec).string();
    }
    return store::OpenClickHouseStore(co);
  }
  store::RocksDbOptions so;
  so.path = cfg.data_dir;
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
  std::unique_ptr<ByteBudget> body_budget;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<IngestPipeline> pipeline;
  std::unique_ptr<ExportService> exporter;
  std::unique_ptr<IoRuntime> io;
  std::unique_ptr<OtlpHttpReceiver> otlp_http;
  std::unique_ptr<QueryApi> query;
  std::unique_ptr<HttpServer> otlp_http_server;
  std::unique_ptr<HttpServer> query_server;
  std::unique_ptr<GrpcReceiver> grpc;
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

  bool HandleOps(const HttpRequest& req, HttpResponse* resp) {
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
    if (path == "/metrics") {
      resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
      uint64_t bytes = store && ready.load() ? store->Stats().bytes_on_disk : 0;
      resp->body = metrics.RenderPrometheus(pipeline ? pipeline->depth() : 0,
                                            pipeline ? pipeline->capacity() : 0, bytes);
      Durability().RenderMetrics(resp->body);
      return true;
    }
    return false;
  }

  DurabilityStatus Durability() const {
    DurabilityStatus status;
    if (pipeline) {
      status.recovery = &pipeline->wal_recovery();
      status.ingest_failure = pipeline->ingest_failure();
      status.index_failure = pipeline->index_failure();
    }
    return status;
  }

  void RetentionLoop() {
    const auto period = std::chrono::minutes(5);
    std::unique_lock<std::mutex> lock(retention_mu);
    while (!retention_cv.wait_for(lock, period, [&] { return retention_stop; })) {
      lock.unlock();
      uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
      uint64_t keep = cfg.retention_hours * 3600ull * 1'000'000'000ull;
      if (now > keep) (void)store->DeleteBefore(now - keep);
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

  auto opened = OpenStore(d.cfg);
  if (!opened.ok()) return opened.status();
  d.store = std::move(opened).value();

  IngestOptions io;
  io.capacity_items = d.cfg.queue_size;
  io.wal.dir = d.cfg.data_dir + "/ingest-wal";
  io.wal.sync = d.cfg.sync_writes;
  io.limits.max_attributes = d.cfg.max_attributes;
  io.limits.max_attribute_value_bytes = d.cfg.max_attribute_bytes;
  Result<uint64_t> max_age = ParseDurationSeconds(d.cfg.max_item_age);
  if (!max_age.ok()) return InvalidArgument("--max-item-age: " + max_age.status().message());
  Result<uint64_t> max_future = ParseDurationSeconds(d.cfg.max_item_future);
  if (!max_future.ok()) return InvalidArgument("--max-item-future: " + max_future.status().message());
  io.limits.max_age_ns = max_age.value() * 1'000'000'000ull;
  io.limits.max_future_ns = max_future.value() * 1'000'000'000ull;
  // Replays what a crash left in the WAL before any listener opens.
  auto pipeline = IngestPipeline::Open(*d.store, d.metrics, io);
  if (!pipeline.ok()) {
    (void)d.store->Close();
    return pipeline.status();
  }
  d.pipeline = std::move(pipeline).value();
  d.exporter = std::make_unique<ExportService>(*d.pipeline, d.metrics);
  d.io = std::make_unique<IoRuntime>(d.cfg.http_threads);
  OpsHandler ops = [impl = &d](const HttpRequest& r, HttpResponse* out) { return impl->HandleOps(r, out); };

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
    d.otlp_http = std::make_unique<OtlpHttpReceiver>(*d.exporter, d.metrics, d.cfg.max_body_bytes, ops);
    OtlpHttpReceiver* recv = d.otlp_http.get();
    d.otlp_http_server = std::make_unique<HttpServer>(
        *d.io, hso, [recv](HttpRequest&& r, Responder done) { recv->Handle(std::move(r), std::move(done)); },
        &OtlpHttpReceiver::ErrorResponse);
    s = d.otlp_http_server->Listen(d.http_host, http_port);
    if (s.ok()) d.ports.otlp_http = d.otlp_http_server->port();
  }
  if (s.ok() && !d.cfg.query_listen.empty()) {
    std::string ui = d.cfg.ui_dir.empty() ? DefaultUiDir() : d.cfg.ui_dir;
    IngestPipeline* pipeline = d.pipeline.get();
    // Read-your-writes: a query sees every batch acknowledged before it
    // arrived (indexing lags the acknowledgement by a few milliseconds).
    McpOptions mcp;
    mcp.result_budget_bytes = d.cfg.mcp_result_bytes;
    mcp.loopback_only = d.query_host == "localhost" || d.query_host.starts_with("127.") || d.query_host == "::1";
    d.query = std::make_unique<QueryApi>(*d.store, d.metrics, ui, ops, 2,
                                         [pipeline] { (void)pipeline->WaitVisible(std::chrono::seconds(10)); }, mcp);
    QueryApi* api = d.query.get();
    HttpServerOptions qso = hso;
    qso.max_body_bytes = 1 << 20;  // the query API takes no bodies but MCP's small JSON-RPC messages
    qso.counters = &d.metrics.query_server;
    d.query_server = std::make_unique<HttpServer>(
        *d.io, qso, [api](HttpRequest&& r, Responder done) { api->Handle(std::move(r), std::move(done)); },
        &QueryApi::ErrorResponse);
    s = d.query_server->Listen(d.query_host, query_port);
    if (s.ok()) d.ports.query = d.query_server->port();
  }
  if (s.ok() && !d.cfg.otlp_grpc_listen.empty()) {
    d.grpc = std::make_unique<GrpcReceiver>(*d.exporter, d.metrics, d.cfg.max_body_bytes, d.body_budget.get());
    s = d.grpc->Start(d.grpc_host, grpc_port);
    if (s.ok()) d.ports.otlp_grpc = d.grpc->port();
  }
  if (!s.ok()) {
    (void)Stop();
    return s;
  }
  d.io->Start();
  if (d.cfg.retention_hours > 0) d.retention = std::thread([&d] { d.RetentionLoop(); });
  d.ready.store(true);
  return Status::Ok();
}

BoundPorts Daemon::ports() const { return impl_->ports; }

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
  // 2. Everything queued reaches the WAL and the store; HTTP clients get
  //    their answers while the server threads still run.
  if (d.pipeline) d.pipeline->Stop();
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
  if (d.store) s = d.store->Close();
  return s;
}

}  // namespace callpath::daemon
