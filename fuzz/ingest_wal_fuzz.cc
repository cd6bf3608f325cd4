// Feeds arbitrary bytes to the ingest WAL's record reader, which replays
// segments after a crash: a torn or corrupt tail must end the replay
// cleanly, never crash it or hand out a body that lies outside the segment.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/ingest/ingest_wal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t records = 0, covered = 0;
  const size_t used = callpath::daemon::ParseWalRecords(bytes, [&](const callpath::daemon::WalRecord& r) {
    // The body is inside the input and follows the bytes of earlier records.
    if (r.body.data() < bytes.data() || r.body.data() + r.body.size() > bytes.data() + bytes.size()) {
      std::abort();
    }
    const auto kind = static_cast<int>(r.kind);
    if (kind < 1 || kind > 4) std::abort();
    covered = static_cast<size_t>(r.body.data() + r.body.size() - bytes.data());
    ++records;
  });
  if (used > size || used != covered) std::abort();  // consumed = exactly the good records
  // Reading again from where the good records ended finds nothing more.
  if (records > 0 && callpath::daemon::ParseWalRecords(bytes.substr(0, used), [](const auto&) {}) != used) {
    std::abort();
  }
  return 0;
}
