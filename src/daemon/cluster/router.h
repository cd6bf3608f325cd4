// ClusterRouter: the ExportTarget of a clustered node. It splits each
// request by the owner of every span's and log record's trace id on the
// Ring, stores its own share through the local ExportService and sends
// each other share as one OTLP/gRPC Export to its owner (PeerClient).
//
// The client is answered once every share is answered: OK only when the
// local WAL and every peer acknowledged theirs (peers' partial-success
// rejections are summed into the answer), else the first refusal - the
// client retries the whole request, so nothing acknowledged is lost (a
// retry may store some items twice; the store drops exact duplicates).
//
// A peer that cannot be reached (or does not answer within
// forward_timeout) is considered down for down_for: its share of this
// request, and of later ones until then, goes to the next member of the
// ring that is up - this node at the latest, so a request is refused only
// when the local store refuses it. Log records without a trace id, and
// bodies that do not parse, stay on this node.
//
// Requests forwarded by a peer do not come here: the gRPC receiver hands
// them straight to the local ExportService (never forwarded twice).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/cluster/cluster_config.h"
#include "daemon/cluster/peer_client.h"
#include "daemon/cluster/ring.h"
#include "daemon/cluster/split_request.h"
#include "daemon/receive/otlp_export.h"

namespace callpath::daemon::cluster {

class ClusterRouter : public ExportTarget {
 public:
  // REQUIRES: FinishClusterConfig(&config) succeeded. `local` must outlive
  // the router. Opens no connection yet.
  ClusterRouter(const ClusterConfig& config, ExportTarget& local);
  // Waits for the forwarded calls still running (each ends within
  // forward_timeout): their callbacks use the router.
  ~ClusterRouter() override;

  void Export(Signal signal, Encoding encoding, std::string_view tenant, std::string_view body,
              Done done) override;

  // callpathd_cluster_* metrics in Prometheus text format.
  void RenderMetrics(std::string& out) const;

 private:
  struct Pending;
  struct MemberState {
    std::string name;
    std::unique_ptr<PeerClient> client;  // null for this node
    std::atomic<int64_t> down_until_ns{0};  // steady clock
    std::atomic<uint64_t> forwarded_items[2] = {};  // by Signal
    std::atomic<uint64_t> rerouted_items[2] = {};   // owned by this member, sent elsewhere
    std::atomic<uint64_t> failures{0};
  };

  // `excluded`: a bit per member that failed during this request.
  bool Up(size_t member, uint64_t excluded) const;
  void MarkDown(size_t member);
  // Splits `body` over the members up, counting the items whose owner
  // was skipped; false when the body does not parse.
  bool SplitFor(Signal signal, Encoding encoding, std::string_view body, uint64_t excluded, Split* out);
  void Send(const std::shared_ptr<Pending>& p, Split split, std::string_view body, uint64_t excluded);
  // A share whose member failed, split again over the members still up.
  void Reroute(const std::shared_ptr<Pending>& p, std::string_view body, uint64_t excluded);
  // `owned`: the bytes of `body` when the caller already holds them in
  // a string a remote call can keep (else they are copied for it).
  void SendShare(const std::shared_ptr<Pending>& p, size_t member, std::string_view body,
                 std::shared_ptr<const std::string> owned, uint64_t items, uint64_t excluded);
  // A peer's answer to a share: counted and merged, or rerouted when the
  // peer could not be reached.
  void OnForwarded(const std::shared_ptr<Pending>& p, size_t member, uint64_t items, uint64_t excluded,
                   std::string_view body, ForwardResult r);

  ExportTarget& local_;
  Ring ring_;
  size_t self_ = 0;
  int64_t down_ns_;
  std::vector<std::unique_ptr<MemberState>> members_;

  std::mutex calls_mu_;
  std::condition_variable calls_cv_;
  uint64_t calls_ = 0;  // forwarded calls whose callback has not finished
};

}  // namespace callpath::daemon::cluster
