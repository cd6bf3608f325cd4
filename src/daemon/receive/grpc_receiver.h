// The OTLP/gRPC receiver: TraceService/Export and LogsService/Export on
// the OTLP gRPC port, served as a generic (byte-level) service so that the
// request bytes go straight to the zero-copy decoder - no protobuf message
// objects. gzip message compression is handled by gRPC itself.
//
// Errors: undecodable request -> INVALID_ARGUMENT; queue full ->
// RESOURCE_EXHAUSTED; store failure or shutdown -> UNAVAILABLE; oversized
// message -> RESOURCE_EXHAUSTED (by gRPC); request bytes over the daemon's
// budget -> RESOURCE_EXHAUSTED; unknown method -> UNIMPLEMENTED.
// With an Authenticator, every call (whatever its method) first needs the
// metadata `authorization: Bearer <key>` of a key with the `ingest` scope:
// UNAUTHENTICATED without a valid key, PERMISSION_DENIED without the
// scope, RESOURCE_EXHAUSTED after too many failures from one address.
// The call's tenant is its key's, or the metadata x-scope-orgid when the
// peer is a trusted proxy (another tenant named by anyone else:
// PERMISSION_DENIED); its spans and logs go to that tenant's store.
//
// Calls forwarded by another node of a cluster carry the metadata
// x-callpath-forwarded. They are taken only with the cluster key (or,
// when no key is set, from a trusted proxy address), bypass the
// Authenticator, name their tenant in x-scope-orgid, and are stored on
// this node (PeerIntake::local), never forwarded again. From anyone else
// the marker is refused (PERMISSION_DENIED): it cannot pick a tenant.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "callpath/status.h"
#include "common/byte_budget.h"
#include "daemon/auth/authenticator.h"
#include "daemon/auth/trusted_proxies.h"
#include "daemon/metrics.h"
#include "daemon/receive/otlp_export.h"
#include "daemon/receive/tls_context.h"

namespace callpath::daemon {

struct PeerIntake {
  ExportTarget* local = nullptr;  // null: not in a cluster, forwarded calls are refused
  std::string key;                // the cluster key; empty: peers must be trusted proxies
};

class GrpcReceiver {
 public:
  // `exporter`, `metrics` and `budget` (may be null) must outlive the
  // receiver. A request message takes its bytes from `budget` until it is
  // answered (RESOURCE_EXHAUSTED when they do not fit), and gRPC's own
  // buffers are held to the budget's size by a ResourceQuota.
  // `auth` (may be null: no checks), `proxies` (may be null: none
  // trusted) and `peers` (may be null: no cluster) must outlive the
  // receiver.
  GrpcReceiver(ExportTarget& exporter, DaemonMetrics& metrics, uint64_t max_message_bytes,
               ByteBudget* budget = nullptr, auth::Authenticator* auth = nullptr,
               const auth::TrustedProxies* proxies = nullptr, const PeerIntake* peers = nullptr);
  ~GrpcReceiver();  // Shutdown()s

  // Starts serving on host:port (port 0 = any free port; see port()).
  // With `tls` files: TLS (gRPC's minimum is TLS 1.2), client certificates
  // required when tls.client_ca is set; gRPC rereads the files every
  // minute, so renewed certificates apply without a restart.
  Status Start(const std::string& host, uint16_t port, const TlsFiles& tls = {});
  uint16_t port() const noexcept { return port_; }
  // Stops accepting calls and waits (up to a few seconds) for running ones.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t max_message_bytes_;
  ByteBudget* budget_;
  uint16_t port_ = 0;
};

}  // namespace callpath::daemon
