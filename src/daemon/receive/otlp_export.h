// ExportService: what both OTLP receivers (HTTP and gRPC) do with a request
// body once it is in memory and decompressed - validate, count, log it in
// the ingest WAL (the store is written from there in the background) - and the transport-neutral outcome they translate into an
// HTTP status or a gRPC code.
#pragma once

#include <cstdint>
#include <functional>
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
    kUnavailable,  // shutting down or the store failed -> 503 / UNAVAILABLE
  };
  Code code = Code::kOk;
  uint64_t rejected = 0;  // invalid items dropped (kOk only)
  std::string message;    // partial-success or error text
};

class ExportService {
 public:
  using Done = std::function<void(ExportOutcome)>;

  // `pipeline` and `metrics` must outlive the service.
  ExportService(IngestPipeline& pipeline, DaemonMetrics& metrics)
      : pipeline_(pipeline), metrics_(metrics) {}

  // Validates `body` (which need not outlive the call) and calls `done`
  // exactly once: at once for errors, a full backlog and requests with
  // nothing to store, else from the WAL's committer thread once the body
  // is synced to the ingest WAL.
  void Export(Signal signal, Encoding encoding, std::string_view body, Done done);

 private:
  IngestPipeline& pipeline_;
  DaemonMetrics& metrics_;
};

// Response bodies (OTLP ExportTraceServiceResponse / ExportLogsServiceResponse):
// empty protobuf or "{}" on full success, partial_success otherwise.
std::string ExportResponseBody(Signal signal, Encoding encoding, uint64_t rejected,
                               std::string_view message);
// A google.rpc.Status (code, message) in the given encoding.
std::string RpcStatusBody(Encoding encoding, int grpc_code, std::string_view message);

}  // namespace callpath::daemon
