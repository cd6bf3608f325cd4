// The ingest WAL's record format, and the reader that recovers what a
// damaged segment still holds.
//
// A record is
//
//   u32 payload length | u32 crc32 of (payload, then lsn, kind, time) |
//   u64 lsn | u8 kind | u64 received_ns | payload
//
// (little-endian). The checksum covers the header after it, so a record is
// found again after damage by looking for a header whose length fits, whose
// kind and lsn are plausible and whose checksum matches: a false match needs
// a 32-bit checksum to agree by chance on top of those.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace callpath::daemon {

// What a record's body is. An export request's kind may carry the flags
// below (SampledKind): its traced items went to the tail sampler
// (daemon/sampling/tail_sampler.h) instead of straight to the store, which
// replay must know. kSamplingDecisions: a sampler's decision record
// (daemon/sampling/decision_record.h).
enum class WalKind : uint8_t {
  kTracesProto = 1,
  kTracesJson = 2,
  kLogsProto = 3,
  kLogsJson = 4,
  kSamplingDecisions = 5,
};
inline constexpr uint8_t kWalKindSampled = 0x80;     // traced items went to the sampler
inline constexpr uint8_t kWalKindLogsFollow = 0x40;  // ... log records with a trace id too

inline WalKind BaseKind(WalKind k) noexcept { return static_cast<WalKind>(static_cast<uint8_t>(k) & 0x3f); }
inline bool IsSampledKind(WalKind k) noexcept { return (static_cast<uint8_t>(k) & kWalKindSampled) != 0; }
inline bool LogsFollowTrace(WalKind k) noexcept { return (static_cast<uint8_t>(k) & kWalKindLogsFollow) != 0; }
inline WalKind SampledKind(WalKind k, bool logs_follow_trace) noexcept {
  return static_cast<WalKind>(static_cast<uint8_t>(k) | kWalKindSampled |
                              (logs_follow_trace ? kWalKindLogsFollow : 0));
}

struct WalRecord {
  uint64_t lsn = 0;
  WalKind kind = WalKind::kTracesProto;
  uint64_t received_ns = 0;  // wall clock when the request arrived
  std::string_view body;     // points into the segment or group buffer
};

inline constexpr size_t kWalHeaderBytes = 4 + 4 + 8 + 1 + 8;
inline constexpr uint32_t kWalMaxPayload = 1u << 30;

// crc32 of a payload, the start of the record checksum.
uint32_t WalPayloadCrc(std::string_view payload);

// Appends one record; `body_crc` is WalPayloadCrc(body).
void AppendWalRecord(std::string* out, uint64_t lsn, WalKind kind, uint64_t received_ns, std::string_view body,
                     uint32_t body_crc);

// Decodes consecutive records; stops at the end or at the first record
// that is short or corrupt. Returns the bytes consumed by good records.
size_t ParseWalRecords(std::string_view data, const std::function<void(const WalRecord&)>& fn);

// What ScanWalSegment found in one segment.
struct WalSegmentScan {
  struct Range {
    uint64_t begin = 0, end = 0;  // bytes [begin, end) of the segment
    uint64_t expected_lsn = 0;    // the lsn the record at `begin` should have had
    uint64_t next_lsn = 0;        // of the good record at `end` (0: none follows)
  };
  // Unreadable byte ranges, in order, disjoint. The good records are
  // exactly the bytes between them.
  std::vector<Range> unreadable;
  uint64_t records = 0;       // good records handed to the callback
  uint64_t first_lsn = 0;     // of the first good record (0: none)
  uint64_t last_lsn = 0;      // of the last good record (0: none)
  uint64_t good_end = 0;      // end of the last good record
  // The segment ends in unreadable bytes (unreadable.back().end == size).
  bool ends_unreadable = false;
  // ...and those bytes could be the start of one record the file is too
  // short for (a write cut off by a crash) rather than damage.
  bool tail_may_be_torn = false;
};

// Reads every good record of `data` in file order, skipping unreadable
// bytes. Records are numbered on from `first_lsn` (the segment's name);
// after a bad record it searches, byte by byte, for the next header that
// checks out with an lsn that could follow the last good one (a gap no
// wider than the damaged bytes could hold) and is below `lsn_limit` (the
// next segment's first lsn; 0 when there is none).
WalSegmentScan ScanWalSegment(std::string_view data, uint64_t first_lsn, uint64_t lsn_limit,
                              const std::function<void(const WalRecord&)>& fn);

}  // namespace callpath::daemon
