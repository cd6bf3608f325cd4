// What callpathd tells about its data's safety: damage its ingest WAL
// showed at start, and whether the WAL and the store take writes now.
// Rendered into /metrics and /readyz.
#pragma once

#include <string>

#include "daemon/ingest/wal_recovery.h"

namespace callpath::daemon {

struct DurabilityStatus {
  const WalRecoveryReport* recovery = nullptr;  // from the start; may be null
  std::string ingest_failure;  // why the WAL refuses requests ("" = it takes them)
  std::string index_failure;   // why the store refuses writes ("" = it takes them)

  // Appends Prometheus text (gauges).
  void RenderMetrics(std::string& out) const;
  // Lines for /readyz after "ready"/"not ready", each ending in '\n'.
  std::string ReadyDetail() const;
  // Requests are refused: /readyz answers 503.
  bool refusing() const { return !ingest_failure.empty(); }
};

}  // namespace callpath::daemon
