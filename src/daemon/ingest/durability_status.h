// What callpathd tells about its data's safety: damage its ingest WAL
// showed at start, and whether the WAL and the store take writes now.
// Rendered into /metrics and /readyz.
#pragma once

#include <string>
#include <vector>

#include "daemon/ingest/wal_recovery.h"

namespace callpath::daemon {

// Over every tenant's WAL and store: the figures add up, and the first
// failure found is reported (named after its tenant).
struct DurabilityStatus {
  std::vector<const WalRecoveryReport*> recovery;  // from the start, one per WAL
  std::string ingest_failure;  // why a WAL refuses requests ("" = they take them)
  std::string index_failure;   // why a store refuses writes ("" = they take them)

  // Appends Prometheus text (gauges).
  void RenderMetrics(std::string& out) const;
  // Lines for /readyz after "ready"/"not ready", each ending in '\n'.
  std::string ReadyDetail() const;
  // Requests are refused: /readyz answers 503.
  bool refusing() const { return !ingest_failure.empty(); }
};

}  // namespace callpath::daemon
