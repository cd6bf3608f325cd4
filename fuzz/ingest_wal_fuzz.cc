// Feeds arbitrary bytes to the ingest WAL's record readers, which replay
// segments after a crash: damage must be skipped or end the replay
// cleanly, never crash it or hand out a body that lies outside the segment.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/ingest/wal_format.h"

namespace {

using callpath::daemon::WalRecord;

void CheckBody(std::string_view bytes, const WalRecord& r) {
  if (r.body.data() < bytes.data() || r.body.data() + r.body.size() > bytes.data() + bytes.size()) std::abort();
  // An export request (1-4, maybe with the tail-sampling flags) or a
  // sampler's decision record (5, without them).
  const auto base = static_cast<int>(callpath::daemon::BaseKind(r.kind));
  if (base < 1 || base > 5) std::abort();
  const auto flags = static_cast<int>(r.kind) & 0xc0;
  if (flags != 0 && (flags & callpath::daemon::kWalKindSampled) == 0) std::abort();
  if (flags != 0 && base == 5) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t records = 0, covered = 0;
  const size_t used = callpath::daemon::ParseWalRecords(bytes, [&](const WalRecord& r) {
    CheckBody(bytes, r);  // and it follows the bytes of earlier records
    covered = static_cast<size_t>(r.body.data() + r.body.size() - bytes.data());
    ++records;
  });
  if (used > size || used != covered) std::abort();  // consumed = exactly the good records
  if (records > 0 && callpath::daemon::ParseWalRecords(bytes.substr(0, used), [](const auto&) {}) != used) {
    std::abort();
  }

  // The damage-skipping reader: unreadable ranges are in order and
  // disjoint, and the lsns of the records it hands out grow.
  const uint64_t first_lsn = size > 0 ? data[0] % 4 : 0;
  size_t at = 0, scanned = 0;
  uint64_t last_lsn = 0;
  auto scan = callpath::daemon::ScanWalSegment(bytes, first_lsn, 0, [&](const WalRecord& r) {
    CheckBody(bytes, r);
    if (scanned > 0 && r.lsn <= last_lsn) std::abort();
    last_lsn = r.lsn;
    ++scanned;
  });
  for (const auto& range : scan.unreadable) {
    if (range.begin < at || range.end <= range.begin || range.end > size) std::abort();
    at = range.end;
  }
  if (scan.records != scanned || (scan.ends_unreadable && at != size)) std::abort();
  return 0;
}
