// TenantRegistry: one store, ingest pipeline (with its WAL) and set of
// limits per tenant, so that tenants are kept apart by construction: a
// tenant's requests are only ever given its own store, and no key of
// another tenant exists in it to be found, counted or timed.
//
// Layout of the embedded store: the default tenant "" (a daemon without
// keys) keeps <data_dir> itself - stores written before tenants existed
// read unchanged - and tenant T lives in <data_dir>/tenants/T/ (its store
// and its ingest-wal/). With ClickHouse each tenant has its own database
// (ClickHouseDatabaseFor) and its WAL in the same directories.
//
// A tenant is opened when first used (its first write or query); the
// tenants found on disk are opened by OpenExisting at start, so each WAL
// is replayed before anything is served.
//
// Thread-safe. Tenant pointers stay valid until the registry is destroyed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "daemon/config.h"
#include "daemon/ingest/durability_status.h"
#include "daemon/ingest/ingest_pipeline.h"
#include "daemon/metrics.h"
#include "daemon/receive/otlp_export.h"
#include "daemon/serve/query_tenants.h"
#include "daemon/tenants/tenant_limits.h"
#include "store/store.h"

namespace callpath::daemon {

// One tenant's store, ingest pipeline and limits.
class Tenant final : public IngestTenant {
 public:
  Tenant(std::string name, std::string dir, bool embedded, std::unique_ptr<store::Store> store,
         TenantGovernor& governor);
  ~Tenant() override;  // stops the pipeline, closes the store

  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_; }
  store::Store& store() { return *store_; }
  IngestPipeline& pipeline() override { return *pipeline_; }
  std::optional<ExportOutcome> AdmitItems(uint64_t items) override;
  TenantGovernor& governor() { return governor_; }

  // Bytes on disk (the embedded store's files and the WAL; with
  // ClickHouse what the store reports), sampled at most every 2 seconds.
  uint64_t StoredBytes();

  void set_pipeline(std::unique_ptr<IngestPipeline> p) { pipeline_ = std::move(p); }
  // Stops the pipeline (everything accepted reaches the store) and closes
  // the store. Idempotent; nothing else may be called afterwards.
  Status Close();

 private:
  const std::string name_;
  const std::string dir_;
  const bool embedded_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<IngestPipeline> pipeline_;
  bool closed_ = false;
  TenantGovernor& governor_;
  std::mutex bytes_mu_;
  std::atomic<uint64_t> bytes_{0};
  std::atomic<int64_t> bytes_sampled_ms_{-1};
};

struct TenantRegistryOptions {
  std::string data_dir;
  // The embedded store (its bytes are counted from its files).
  bool embedded = true;
  // Opens the store of `tenant`, whose files (if any) live in `dir`.
  std::function<Result<std::unique_ptr<store::Store>>(const std::string& tenant, const std::string& dir)> open_store;
  // For every tenant's pipeline; wal.dir is set per tenant.
  IngestOptions ingest;
  // Limits: `tenants` by name, else `defaults`.
  TenantLimitsConfig defaults;
  std::map<std::string, TenantLimitsConfig> tenants;
  // Retention of a tenant without its own (0 = keep everything).
  uint64_t retention_seconds = 0;
};

class TenantRegistry final : public QueryTenants {
 public:
  TenantRegistry(TenantRegistryOptions options, DaemonMetrics& metrics);
  ~TenantRegistry() override;

  // Opens the default tenant and every tenant directory under
  // <data_dir>/tenants, replaying their WALs. Call once, before serving.
  Status OpenExisting();

  // The tenant, opened if it was not. InvalidArgument for a name that is
  // not a tenant name; Unavailable while stopping or when its store does
  // not open.
  Result<Tenant*> Get(std::string_view name);
  Result<IngestTenant*> ForIngest(std::string_view name);

  // QueryTenants.
  Result<QueryAdmission> Admit(std::string_view tenant) override;
  Result<store::Store*> StoreFor(std::string_view tenant) override;

  std::vector<Tenant*> All() const;

  // Drops data older than each tenant's retention.
  void ApplyRetention(uint64_t now_ns);

  // Shutdown, in two steps around the servers' last answers: refuse to
  // open tenants and drain every pipeline into its store; then close the
  // stores.
  void StopPipelines();
  Status CloseStores();

  // Over every tenant.
  uint64_t QueueDepth() const;
  uint64_t QueueCapacity() const;
  uint64_t StoredBytes() const;
  DurabilityStatus Durability() const;
  // callpathd_tenant_* lines.
  void RenderMetrics(std::string& out) const;

  // <data_dir> for "", else <data_dir>/tenants/<name>.
  std::string DirOf(const std::string& name) const;

 private:
  TenantGovernor& GovernorOf(std::string_view name);
  Result<std::unique_ptr<Tenant>> Open(const std::string& name);

  const TenantRegistryOptions options_;
  DaemonMetrics& metrics_;

  mutable std::shared_mutex mu_;  // tenants_, closing_
  std::map<std::string, std::unique_ptr<Tenant>, std::less<>> tenants_;
  bool closing_ = false;
  std::mutex open_mu_;  // one tenant opened at a time

  mutable std::mutex governors_mu_;
  std::map<std::string, std::unique_ptr<TenantGovernor>, std::less<>> governors_;
};

// The ClickHouse database of `tenant`: `base` for the default tenant,
// "<base>_t_<name>" for a name of letters and digits only, else
// "<base>_x_<hex of the name>" (no quoting needed, no two tenants alike).
std::string ClickHouseDatabaseFor(const std::string& base, const std::string& tenant);

}  // namespace callpath::daemon
