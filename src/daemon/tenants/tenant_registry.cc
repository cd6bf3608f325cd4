#include "daemon/tenants/tenant_registry.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "daemon/auth/api_key.h"
#include "text/hex.h"

namespace callpath::daemon {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Bytes of the regular files under `dir`, leaving out the subdirectory
// `skip` (the default tenant's directory holds the other tenants').
uint64_t DirectoryBytes(const std::string& dir, const std::string& skip) {
  namespace fs = std::filesystem;
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!skip.empty() && it->path() == skip) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

std::string Label(const std::string& tenant) { return "tenant=\"" + tenant + "\""; }

}  // namespace

std::string ClickHouseDatabaseFor(const std::string& base, const std::string& tenant) {
  if (tenant.empty()) return base;
  bool plain = true;
  for (char c : tenant) plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  return plain ? base + "_t_" + tenant : base + "_x_" + text::HexString(tenant);
}

Tenant::Tenant(std::string name, std::string dir, bool embedded, std::unique_ptr<store::Store> store,
               TenantGovernor& governor)
    : name_(std::move(name)), dir_(std::move(dir)), embedded_(embedded), store_(std::move(store)),
      governor_(governor) {}

Tenant::~Tenant() { (void)Close(); }

Status Tenant::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  if (pipeline_) pipeline_->Stop();
  Status s;
  if (store_) s = store_->Close();
  return s;
}

uint64_t Tenant::StoredBytes() {
  int64_t now = SteadyMs();
  int64_t sampled = bytes_sampled_ms_.load(std::memory_order_relaxed);
  if (sampled >= 0 && now - sampled < 2000) return bytes_.load(std::memory_order_relaxed);
  std::unique_lock<std::mutex> lock(bytes_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return bytes_.load(std::memory_order_relaxed);  // another thread is counting
  uint64_t bytes = embedded_ ? DirectoryBytes(dir_, name_.empty() ? dir_ + "/tenants" : std::string())
                             : store_->Stats().bytes_on_disk;
  bytes_.store(bytes, std::memory_order_relaxed);
  bytes_sampled_ms_.store(now, std::memory_order_relaxed);
  return bytes;
}

std::optional<ExportOutcome> Tenant::AdmitItems(uint64_t items) {
  const TenantLimitsConfig& limits = governor_.limits;
  if (limits.max_stored_bytes != 0) {
    uint64_t bytes = StoredBytes();
    if (bytes >= limits.max_stored_bytes) {
      governor_.items_over_storage.fetch_add(items, std::memory_order_relaxed);
      return ExportOutcome{ExportOutcome::Code::kStorageFull, 0,
                           "this tenant stores " + std::to_string(bytes) + " bytes, its limit (max_stored_bytes) is " +
                               std::to_string(limits.max_stored_bytes) +
                               "; ingest resumes once retention has freed room"};
    }
  }
  int retry_after = 1;
  if (!governor_.ingest.Take(items, &retry_after)) {
    governor_.items_throttled.fetch_add(items, std::memory_order_relaxed);
    ExportOutcome out{ExportOutcome::Code::kRateLimited, 0,
                      "this tenant's ingest rate limit (" + std::to_string(limits.ingest_rate) +
                          " spans and log records per second) is reached; retry later"};
    out.retry_after_seconds = retry_after;
    return out;
  }
  return std::nullopt;
}

TenantRegistry::TenantRegistry(TenantRegistryOptions options, DaemonMetrics& metrics)
    : options_(std::move(options)), metrics_(metrics) {}

TenantRegistry::~TenantRegistry() {
  StopPipelines();
  (void)CloseStores();
}

std::string TenantRegistry::DirOf(const std::string& name) const {
  return name.empty() ? options_.data_dir : options_.data_dir + "/tenants/" + name;
}

TenantGovernor& TenantRegistry::GovernorOf(std::string_view name) {
  std::lock_guard<std::mutex> lock(governors_mu_);
  auto it = governors_.find(name);
  if (it != governors_.end()) return *it->second;
  auto limits = options_.tenants.find(std::string(name));
  auto made = std::make_unique<TenantGovernor>(limits == options_.tenants.end() ? options_.defaults : limits->second);
  TenantGovernor& g = *made;
  governors_.emplace(std::string(name), std::move(made));
  return g;
}

Result<std::unique_ptr<Tenant>> TenantRegistry::Open(const std::string& name) {
  const std::string dir = DirOf(name);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create " + dir + ": " + ec.message());
  Result<std::unique_ptr<store::Store>> store = options_.open_store(name, dir);
  if (!store.ok()) return store.status();
  auto tenant = std::make_unique<Tenant>(name, dir, options_.embedded, std::move(store).value(), GovernorOf(name));
  IngestOptions io = options_.ingest;
  io.wal.dir = dir + "/ingest-wal";
  // Replays what a crash left in this tenant's WAL.
  Result<std::unique_ptr<IngestPipeline>> pipeline = IngestPipeline::Open(tenant->store(), metrics_, io);
  if (!pipeline.ok()) return pipeline.status();
  tenant->set_pipeline(std::move(pipeline).value());
  return tenant;
}

Result<Tenant*> TenantRegistry::Get(std::string_view name) {
  if (!name.empty() && !auth::ValidTenant(name)) {
    return InvalidArgument("'" + std::string(name) + "' is not a tenant name");
  }
  auto find = [&]() -> Result<Tenant*> {
    std::shared_lock lock(mu_);
    if (closing_) return Unavailable("callpathd is shutting down");
    auto it = tenants_.find(name);
    return it == tenants_.end() ? nullptr : it->second.get();
  };
  if (Result<Tenant*> found = find(); !found.ok() || found.value() != nullptr) return found;
  std::lock_guard<std::mutex> opening(open_mu_);
  if (Result<Tenant*> found = find(); !found.ok() || found.value() != nullptr) return found;
  Result<std::unique_ptr<Tenant>> opened = Open(std::string(name));
  if (!opened.ok()) {
    std::fprintf(stderr, "callpathd: cannot open the store of tenant '%s': %s\n", std::string(name).c_str(),
                 opened.status().ToString().c_str());
    return Unavailable("this tenant's store cannot be opened now");
  }
  std::unique_lock lock(mu_);
  if (closing_) return Unavailable("callpathd is shutting down");  // `opened` closes on the way out
  Tenant* t = opened.value().get();
  tenants_.emplace(std::string(name), std::move(opened).value());
  return t;
}

Result<IngestTenant*> TenantRegistry::ForIngest(std::string_view name) {
  Result<Tenant*> t = Get(name);
  if (!t.ok()) return t.status();
  return static_cast<IngestTenant*>(t.value());
}

Status TenantRegistry::OpenExisting() {
  Result<Tenant*> first = Get("");
  if (!first.ok()) return first.status();
  namespace fs = std::filesystem;
  std::error_code ec;
  for (auto it = fs::directory_iterator(options_.data_dir + "/tenants", ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!it->is_directory(ec) || !auth::ValidTenant(name)) continue;
    Result<Tenant*> t = Get(name);
    if (!t.ok()) return Unavailable("tenant '" + name + "' (" + it->path().string() + "): " + t.status().message());
  }
  return Status::Ok();
}

Result<QueryAdmission> TenantRegistry::Admit(std::string_view tenant) {
  if (!tenant.empty() && !auth::ValidTenant(tenant)) {
    return InvalidArgument("'" + std::string(tenant) + "' is not a tenant name");
  }
  TenantGovernor& g = GovernorOf(tenant);
  QueryAdmission a;
  a.slot = g.queries.TryAcquire();
  if (!a.slot) {
    g.queries_refused.fetch_add(1, std::memory_order_relaxed);
    return ResourceExhausted("this tenant already has " + std::to_string(g.limits.max_concurrent_queries) +
                             " queries in progress (max_concurrent_queries); retry when one has finished");
  }
  a.time_limit = std::chrono::milliseconds(g.limits.query_timeout_seconds * 1000);
  a.timed_out = &g.queries_timed_out;
  return a;
}

Result<store::Store*> TenantRegistry::StoreFor(std::string_view tenant) {
  Result<Tenant*> t = Get(tenant);
  if (!t.ok()) return t.status();
  // Read-your-writes: a query sees every batch acknowledged before it
  // arrived (indexing lags the acknowledgement by a few milliseconds).
  (void)t.value()->pipeline().WaitVisible(std::chrono::seconds(10));
  return &t.value()->store();
}

std::vector<Tenant*> TenantRegistry::All() const {
  std::shared_lock lock(mu_);
  std::vector<Tenant*> out;
  for (const auto& [name, t] : tenants_) out.push_back(t.get());
  return out;
}

void TenantRegistry::ApplyRetention(uint64_t now_ns) {
  for (Tenant* t : All()) {
    uint64_t keep_s = t->governor().limits.retention_seconds;
    if (keep_s == 0) keep_s = options_.retention_seconds;
    if (keep_s == 0) continue;
    uint64_t keep_ns = keep_s * 1'000'000'000ull;
    if (now_ns > keep_ns) (void)t->store().DeleteBefore(now_ns - keep_ns);
  }
}

void TenantRegistry::StopPipelines() {
  {
    std::unique_lock lock(mu_);
    closing_ = true;
  }
  // Opening is finished or refused from here on: tenants_ no longer changes.
  std::lock_guard<std::mutex> opening(open_mu_);
  for (auto& [name, t] : tenants_) t->pipeline().Stop();
}

Status TenantRegistry::CloseStores() {
  std::lock_guard<std::mutex> opening(open_mu_);
  Status first;
  for (auto& [name, t] : tenants_) {
    Status s = t->Close();
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

uint64_t TenantRegistry::QueueDepth() const {
  uint64_t n = 0;
  for (Tenant* t : All()) n += t->pipeline().depth();
  return n;
}

uint64_t TenantRegistry::QueueCapacity() const {
  uint64_t n = 0;
  for (Tenant* t : All()) n += t->pipeline().capacity();
  return n;
}

uint64_t TenantRegistry::StoredBytes() const {
  uint64_t n = 0;
  for (Tenant* t : All()) n += t->StoredBytes();
  return n;
}

DurabilityStatus TenantRegistry::Durability() const {
  DurabilityStatus status;
  for (Tenant* t : All()) {
    IngestPipeline& p = t->pipeline();
    status.recovery.push_back(&p.wal_recovery());
    const std::string who = t->name().empty() ? "" : "tenant " + t->name() + ": ";
    if (std::string f = p.ingest_failure(); status.ingest_failure.empty() && !f.empty()) status.ingest_failure = who + f;
    if (std::string f = p.index_failure(); status.index_failure.empty() && !f.empty()) status.index_failure = who + f;
  }
  return status;
}

void TenantRegistry::RenderMetrics(std::string& out) const {
  std::vector<Tenant*> all = All();
  AppendMetricHeader(out, "callpathd_tenant_stored_bytes", "gauge",
                     "Bytes on disk of each tenant's store and ingest WAL (sampled every 2 s at most).");
  for (Tenant* t : all) AppendMetricLine(out, "callpathd_tenant_stored_bytes", Label(t->name()), t->StoredBytes());
  std::lock_guard<std::mutex> lock(governors_mu_);
  AppendMetricHeader(out, "callpathd_tenant_ingest_refused_items_total", "counter",
                     "Spans and log records refused by a tenant's limits (rate: 429, stored_bytes: 507).");
  for (const auto& [name, g] : governors_) {
    AppendMetricLine(out, "callpathd_tenant_ingest_refused_items_total", Label(name) + ",reason=\"rate\"",
                     g->items_throttled.load());
    AppendMetricLine(out, "callpathd_tenant_ingest_refused_items_total", Label(name) + ",reason=\"stored_bytes\"",
                     g->items_over_storage.load());
  }
  AppendMetricHeader(out, "callpathd_tenant_queries_refused_total", "counter",
                     "Queries refused for a tenant's concurrency limit (429) or answered 504 after its time limit.");
  for (const auto& [name, g] : governors_) {
    AppendMetricLine(out, "callpathd_tenant_queries_refused_total", Label(name) + ",reason=\"concurrency\"",
                     g->queries_refused.load());
    AppendMetricLine(out, "callpathd_tenant_queries_refused_total", Label(name) + ",reason=\"timeout\"",
                     g->queries_timed_out.load());
  }
  AppendMetricHeader(out, "callpathd_tenant_queries_in_progress", "gauge", "Queries of each tenant queued or running.");
  for (const auto& [name, g] : governors_) {
    AppendMetricLine(out, "callpathd_tenant_queries_in_progress", Label(name), g->queries.in_use());
  }
}

}  // namespace callpath::daemon
