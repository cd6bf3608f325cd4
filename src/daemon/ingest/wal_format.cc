#include "daemon/ingest/wal_format.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

namespace callpath::daemon {
namespace {

void PutLe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void PutLe64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t GetLe32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t GetLe64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The record checksum: the payload's crc (computed by the appending thread
// before it takes the lock), continued over the header after the crc field.
uint32_t RecordCrc(uint32_t payload_crc, const char* after_crc) {
  return static_cast<uint32_t>(
      crc32(payload_crc, reinterpret_cast<const Bytef*>(after_crc), static_cast<uInt>(kWalHeaderBytes - 8)));
}

// The record at `pos` if it is whole and checks out, with its lsn in
// [min_lsn, max_lsn]. The cheap tests come before the checksum so that
// searching past damage costs little per byte.
bool RecordAt(std::string_view data, size_t pos, uint64_t min_lsn, uint64_t max_lsn, WalRecord* out) {
  if (data.size() - pos < kWalHeaderBytes) return false;
  const char* h = data.data() + pos;
  uint32_t len = GetLe32(h);
  if (len > kWalMaxPayload || data.size() - pos - kWalHeaderBytes < len) return false;
  auto kind = static_cast<uint8_t>(h[16]);
  const uint8_t base = kind & 0x3f;
  if (base < 1 || base > 5) return false;
  if ((kind & (kWalKindSampled | kWalKindLogsFollow)) != 0 && (kind & kWalKindSampled) == 0) return false;
  if ((kind & kWalKindSampled) != 0 && base == static_cast<uint8_t>(WalKind::kSamplingDecisions)) return false;
  uint64_t lsn = GetLe64(h + 8);
  if (lsn < min_lsn || lsn > max_lsn) return false;
  std::string_view payload(h + kWalHeaderBytes, len);
  if (GetLe32(h + 4) != RecordCrc(WalPayloadCrc(payload), h + 8)) return false;
  out->lsn = lsn;
  out->kind = static_cast<WalKind>(kind);
  out->received_ns = GetLe64(h + 17);
  out->body = payload;
  return true;
}

}  // namespace

uint32_t WalPayloadCrc(std::string_view payload) {
  // crc32 takes uInt lengths; payloads are capped far below 4 GiB.
  return static_cast<uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
}

void AppendWalRecord(std::string* out, uint64_t lsn, WalKind kind, uint64_t received_ns, std::string_view body,
                     uint32_t body_crc) {
  size_t at = out->size();
  out->resize(at + kWalHeaderBytes);
  char* h = out->data() + at;
  PutLe32(h, static_cast<uint32_t>(body.size()));
  PutLe64(h + 8, lsn);
  h[16] = static_cast<char>(kind);
  PutLe64(h + 17, received_ns);
  PutLe32(h + 4, RecordCrc(body_crc, h + 8));
  out->append(body);
}

size_t ParseWalRecords(std::string_view data, const std::function<void(const WalRecord&)>& fn) {
  size_t pos = 0;
  WalRecord r;
  while (RecordAt(data, pos, 0, UINT64_MAX, &r)) {
    fn(r);
    pos += kWalHeaderBytes + r.body.size();
  }
  return pos;
}

WalSegmentScan ScanWalSegment(std::string_view data, uint64_t first_lsn, uint64_t lsn_limit,
                              const std::function<void(const WalRecord&)>& fn) {
  WalSegmentScan scan;
  uint64_t expected = first_lsn;  // the lsn the next record should have
  size_t pos = 0;
  WalRecord r;
  auto take = [&](size_t at) {
    if (scan.records++ == 0) scan.first_lsn = r.lsn;
    scan.last_lsn = r.lsn;
    expected = r.lsn + 1;
    fn(r);
    scan.good_end = at + kWalHeaderBytes + r.body.size();
    return scan.good_end;
  };
  while (pos < data.size()) {
    if (RecordAt(data, pos, expected, expected, &r)) {
      pos = take(pos);
      continue;
    }
    // Damage: the next good record is the first one further on whose lsn
    // could follow - at most one record per header's worth of damaged bytes
    // - and that precedes the next segment.
    size_t next = pos + 1;
    for (; next < data.size(); ++next) {
      uint64_t max_lsn = expected + (next - pos) / kWalHeaderBytes;
      if (lsn_limit != 0) max_lsn = std::min(max_lsn, lsn_limit - 1);
      if (RecordAt(data, next, expected, max_lsn, &r)) break;
    }
    scan.unreadable.push_back({pos, next, expected, next < data.size() ? r.lsn : 0});
    if (next == data.size()) {
      scan.ends_unreadable = true;
      const size_t left = data.size() - pos;
      scan.tail_may_be_torn =
          left < kWalHeaderBytes || uint64_t{GetLe32(data.data() + pos)} + kWalHeaderBytes > left;
      break;
    }
    pos = take(next);
  }
  return scan;
}

}  // namespace callpath::daemon
