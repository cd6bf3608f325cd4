#include "daemon/ingest/durability_status.h"

#include "daemon/metrics.h"

namespace callpath::daemon {
namespace {

void Gauge(std::string& out, const char* name, const char* help, uint64_t value) {
  AppendMetricHeader(out, name, "gauge", help);
  AppendMetricLine(out, name, "", value);
}

}  // namespace

void DurabilityStatus::RenderMetrics(std::string& out) const {
  uint64_t ranges = 0, damaged = 0, lost = 0, torn = 0;
  for (const WalRecoveryReport* r : recovery) {
    for (const auto& d : r->damage) ranges += d.torn_tail ? 0 : 1;
    damaged += r->damaged_bytes();
    lost += r->lost_records();
    torn += r->torn_tail_bytes();
  }
  Gauge(out, "callpathd_wal_damaged_ranges", "Unreadable stretches found in the ingest WAL at start.", ranges);
  Gauge(out, "callpathd_wal_damaged_bytes", "Unreadable ingest WAL bytes found at start (torn tail excluded).",
        damaged);
  Gauge(out, "callpathd_wal_lost_records",
        "Acknowledged records the ingest WAL could not give back at start and the store lacked.", lost);
  Gauge(out, "callpathd_wal_torn_tail_bytes", "Bytes of a torn write cut from the ingest WAL at start.", torn);
  Gauge(out, "callpathd_ingest_writable", "1 while the ingest WAL takes requests, 0 while it refuses them.",
        ingest_failure.empty() ? 1 : 0);
  Gauge(out, "callpathd_store_writable", "1 while the store takes writes, 0 while the indexer retries.",
        index_failure.empty() ? 1 : 0);
}

std::string DurabilityStatus::ReadyDetail() const {
  std::string out;
  if (!ingest_failure.empty()) out += "ingest refused: " + ingest_failure + " (probing; resumes by itself)\n";
  if (!index_failure.empty()) out += "indexing paused: " + index_failure + " (retrying; the data is in the WAL)\n";
  for (const WalRecoveryReport* r : recovery) {
    for (const auto& d : r->damage) {
      out += d.torn_tail ? "wal at start: " : "wal damage at start: ";
      out += d.Describe();
      out += '\n';
    }
  }
  return out;
}

}  // namespace callpath::daemon
