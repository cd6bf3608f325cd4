// PeerClient: the OTLP/gRPC Export calls one node makes to another to hand
// over the traces the other owns. One channel per peer, reused by every
// call; calls are asynchronous (gRPC's callback API), so a slow peer holds
// no thread.
//
// Every call carries the marker `x-callpath-forwarded: <this node>` (the
// peer stores it and never forwards it again), the cluster key as
// `authorization: Bearer <key>`, the tenant as `x-scope-orgid`, and for
// OTLP/JSON bodies `x-callpath-encoding: json` (the peer decodes it as
// JSON; only nodes send such calls).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/cluster/cluster_config.h"
#include "daemon/metrics.h"
#include "daemon/receive/otlp_export.h"

namespace callpath::daemon::cluster {

inline constexpr char kForwardedMetadata[] = "x-callpath-forwarded";
inline constexpr char kEncodingMetadata[] = "x-callpath-encoding";

struct ForwardResult {
  // The peer could not be reached or did not answer in time (gRPC
  // UNAVAILABLE, DEADLINE_EXCEEDED): try another member.
  bool unreachable = false;
  // Otherwise its answer: kOk with its partial success, or the refusal.
  ExportOutcome outcome;
};

class PeerClient {
 public:
  // The marker names config.node; TLS and key come from `config`.
  PeerClient(const Member& peer, const ClusterConfig& config);
  ~PeerClient();
  PeerClient(const PeerClient&) = delete;
  PeerClient& operator=(const PeerClient&) = delete;

  const std::string& name() const noexcept { return name_; }

  // Sends `body` (kept alive by the call) as one Export call; `done` runs exactly once, on a gRPC
  // thread (or at once when the call cannot start). Thread-safe.
  void Export(Signal signal, Encoding encoding, std::string_view tenant, std::shared_ptr<const std::string> body,
              std::function<void(ForwardResult)> done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string name_;
};

}  // namespace callpath::daemon::cluster
