// ExportService: what the receivers (OTLP/HTTP, OTLP/gRPC, Loki and
// Elasticsearch pushes) do with a request body once it is in memory and
// decompressed - pick the pipeline of the request's tenant, validate,
// count, apply the tenant's ingest limits, log it in that tenant's ingest
// WAL (its store is written from there in the background) - and the
// transport-neutral outcome they translate into an HTTP status or a gRPC
// code.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/ingest/ingest_pipeline.h"
#include "daemon/metrics.h"

namespace callpath::daemon {

enum class Encoding { kProtobuf, kJson };

struct ExportOutcome {
  enum class Code {
    kOk,           // stored (maybe with rejected items: partial success)
    kInvalid,      // undecodable body -> 400 / INVALID_ARGUMENT
    kQueueFull,    // retry later -> 429 + Retry-After / RESOURCE_EXHAUSTED
    kRateLimited,  // over the tenant's ingest rate -> 429 + Retry-After / RESOURCE_EXHAUSTED
    kStorageFull,  // the tenant's stored-bytes cap -> 507 / RESOURCE_EXHAUSTED
    kUnavailable,  // shutting down or the store failed -> 503 / UNAVAILABLE
  };
  Code code = Code::kOk;
  uint64_t rejected = 0;  // invalid items dropped (kOk only)
  std::string message;    // partial-success or error text
  int retry_after_seconds = 1;  // kQueueFull, kRateLimited, kUnavailable
};

// One tenant's side of ingest, as ExportService sees it.
class IngestTenant {
 public:
  virtual ~IngestTenant() = default;
  virtual IngestPipeline& pipeline() = 0;
  // Takes `items` (spans + log records) from the tenant's allowance:
  // nullopt when they may be stored, else the refusal (kRateLimited or
  // kStorageFull, with its message).
  virtual std::optional<ExportOutcome> AdmitItems(uint64_t items) = 0;
};

// The ingest of a tenant, opened on first use; an error when it cannot be
// served now (shutting down, its store does not open).
using IngestTenantFor = std::function<Result<IngestTenant*>(std::string_view tenant)>;

// Where the receivers hand a request body: the local ExportService, or a
// cluster router in front of it (daemon/cluster/router.h) that sends each
// trace to its owner.
class ExportTarget {
 public:
  using Done = std::function<void(ExportOutcome)>;
  virtual ~ExportTarget() = default;
  // Calls `done` exactly once; `body` need not outlive the call.
  virtual void Export(Signal signal, Encoding encoding, std::string_view tenant, std::string_view body,
                      Done done) = 0;
};

class ExportService : public ExportTarget {
 public:

  // `tenants` and `metrics` must outlive the service.
  ExportService(IngestTenantFor tenants, DaemonMetrics& metrics)
      : tenants_(std::move(tenants)), metrics_(metrics) {}

  // Validates `body` (which need not outlive the call) and calls `done`
  // exactly once: at once for errors, a full backlog, a refusal by the
  // tenant's limits and requests with nothing to store, else from the
  // WAL's committer thread once the body is synced to the tenant's WAL.
  // `tenant`: the request's (HttpRequest::tenant, or the gRPC call's).
  void Export(Signal signal, Encoding encoding, std::string_view tenant, std::string_view body,
              Done done) override;

 private:
  IngestTenantFor tenants_;
  DaemonMetrics& metrics_;
};

// Response bodies (OTLP ExportTraceServiceResponse / ExportLogsServiceResponse):
// empty protobuf or "{}" on full success, partial_success otherwise.
std::string ExportResponseBody(Signal signal, Encoding encoding, uint64_t rejected,
                               std::string_view message);
// A google.rpc.Status (code, message) in the given encoding.
std::string RpcStatusBody(Encoding encoding, int grpc_code, std::string_view message);

}  // namespace callpath::daemon
