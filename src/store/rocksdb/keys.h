// Key layouts of the RocksDB store, format 5 (kFormat in rocksdb_store.cc).
// Every time-ordered key starts with its 4-byte big-endian time bucket so
// retention can drop whole buckets with one DeleteRange per column family.
//
// Ingest writes SEGMENTS, not single spans: the spans of one Write
// that fall into the same time window (1/64 of a bucket) form a segment with
// its own sequence number `seq` (unique and increasing across restarts). A
// segment costs a handful of keys however many spans it holds:
//
//   spans   bucket | trace_id | seq            -> span blob: that segment's
//                                                 spans of that trace
//   index   bucket | 'B' | seq                 -> segment trace table
//                                                 (16-byte trace ids)
//           bucket | 'A' | ~max_start | seq    -> posting list (every span)
//           bucket | 'E' | ~max_start | seq    -> posting list (error spans)
//           bucket | 'S' | service 0 | ~max_start | seq
//           bucket | 'O' | service 0 op 0 | ~max_start | seq
//           bucket | 'T' | partition | ~max_start | seq
//                                              (tags hashed into partitions)
//   traces  trace_id -> summary record (merge operator)
//   logs       bucket | ~time | seq            -> log value
//              (seq: a counter, or LogSeqOfUid for a record with a uid)
//   log_trace  bucket | trace_id | time | seq  -> ""
//   log_service bucket | service 0 | ~time | seq -> ""
//   names   's' service -> last bucket;  'o' service 0 op 0 kind -> last bucket
//   resources  hash64 -> encoded resource attributes
//   meta    "bucket_seconds", "format", "retention_cutoff_ns"
//   stats   bucket | 'O' / 'L' | service 0 | minute | ...  (stats_record.h)
//
// Times in index keys are inverted (~ns) so a forward scan yields the
// newest posting lists first; ~max_start is the newest span of the list, an
// upper bound for every entry in it, and all entries lie within one window
// (so max_start - window < every start).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "callpath/ids.h"
#include "store/encoding.h"

namespace callpath::store::keys {

constexpr size_t kBucketSize = 4;
constexpr size_t kTracePrefixSize = kBucketSize + 16;  // spans / log_trace prefix
constexpr size_t kSpanKeySize = kTracePrefixSize + 8;  // + seq
constexpr size_t kIndexTailSize = 8 + 8;               // ~max_start | seq
// Windows per bucket: a segment never spans more than one window.
constexpr uint64_t kWindowsPerBucket = 64;
// Tag postings are spread over this many partitions by a hash of key=value.
constexpr uint32_t kTagPartitions = 64;

enum IndexType : char {
  kAll = 'A', kTable = 'B', kError = 'E', kService = 'S', kOperation = 'O', kTag = 'T',
};

// Names end with a 0 separator inside keys; a 0 byte inside a name (never
// seen in practice) is mapped to 1 so the separator stays unambiguous.
inline void PutName(std::string* k, std::string_view name) {
  for (char c : name) k->push_back(c == '\0' ? '\x01' : c);
  k->push_back('\0');
}

inline std::string Bucket(uint32_t bucket) {
  std::string k;
  enc::PutBigEndian32(&k, bucket);
  return k;
}

inline std::string SpanPrefix(uint32_t bucket, const TraceId& t) {
  std::string k = Bucket(bucket);
  k.append(t.AsBytes());
  return k;
}
inline std::string SpanKey(uint32_t bucket, const TraceId& t, uint64_t seq) {
  std::string k = SpanPrefix(bucket, t);
  enc::PutBigEndian64(&k, seq);
  return k;
}

inline std::string TableKey(uint32_t bucket, uint64_t seq) {
  std::string k = Bucket(bucket);
  k.push_back(kTable);
  enc::PutBigEndian64(&k, seq);
  return k;
}

// bucket | type | term : the part of a posting key before the time.
// `term` is already encoded (names with separators, or a partition byte).
inline std::string PostingPrefix(uint32_t bucket, IndexType type, std::string_view term = {}) {
  std::string k = Bucket(bucket);
  k.push_back(type);
  k.append(term);
  return k;
}
inline std::string ServiceTerm(std::string_view service) {
  std::string t;
  PutName(&t, service);
  return t;
}
inline std::string OperationTerm(std::string_view service, std::string_view op) {
  std::string t;
  PutName(&t, service);
  PutName(&t, op);
  return t;
}
inline std::string TagTerm(uint32_t partition) { return std::string(1, static_cast<char>(partition)); }
inline void AppendPostingTail(std::string* k, uint64_t max_start, uint64_t seq) {
  enc::PutBigEndian64(k, ~max_start);
  enc::PutBigEndian64(k, seq);
}

// A stable 64-bit hash for the tag index (part of the on-disk format):
// eight bytes at a time, read little-endian on every platform.
inline uint64_t HashMix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}
inline uint64_t LoadLittleEndian64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}
inline uint64_t LoadLittleEndian32(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap32(w);
  return w;
}
// The 1 to 7 bytes at `p` as a little-endian number, zero-extended: two
// overlapping fixed-size loads instead of a copy of variable length (a
// call per hashed string, most of which are short).
inline uint64_t LoadLittleEndianTail(const char* p, size_t n) {
  if (n >= 4) return LoadLittleEndian32(p) | (LoadLittleEndian32(p + n - 4) << (8 * (n - 4)));
  const auto byte = [p](size_t i) { return uint64_t{static_cast<uint8_t>(p[i])}; };
  return byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
}
inline uint64_t HashBytes(std::string_view s, uint64_t seed) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  uint64_t h = seed ^ (s.size() * kMul);
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    h = (h ^ LoadLittleEndian64(p)) * kMul;
    h ^= h >> 29;
  }
  if (n > 0) {
    h = (h ^ LoadLittleEndianTail(p, n)) * kMul;
    h ^= h >> 29;
  }
  return HashMix(h);
}
// key=value as the tag index hashes it: the partition is the low bits, the
// entries carry the high 32 bits to tell terms of one partition apart.
inline uint64_t TagHash(std::string_view key, std::string_view value) {
  return HashBytes(value, HashBytes(key, 0x5f3c1d2b4a697887ull));
}
inline uint32_t TagPartition(uint64_t hash) { return static_cast<uint32_t>(hash % kTagPartitions); }
inline uint32_t TagCheck(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }

// A log record that carries the OpenTelemetry attribute log.record.uid
// takes the sequence part of its keys from a hash of the uid instead of
// the counter, so a repeat of it (a shipper sending again a batch it could
// not know was stored) names the same record key and is recognised. The
// top bit keeps these apart from counter values (the nanosecond clock at
// open, below 2^63 until 2262). Part of the on-disk format.
inline constexpr std::string_view kLogRecordUidKey = "log.record.uid";
inline constexpr uint64_t kUidSeqBit = uint64_t{1} << 63;
inline uint64_t LogSeqOfUid(std::string_view uid) { return HashBytes(uid, 0x3c6ef372fe94f82bull) | kUidSeqBit; }

inline std::string LogKey(uint32_t bucket, uint64_t time, uint64_t seq) {
  std::string k = Bucket(bucket);
  enc::PutBigEndian64(&k, ~time);
  enc::PutBigEndian64(&k, seq);
  return k;
}
inline std::string LogTraceKey(uint32_t bucket, const TraceId& t, uint64_t time, uint64_t seq) {
  std::string k = SpanPrefix(bucket, t);
  enc::PutBigEndian64(&k, time);
  enc::PutBigEndian64(&k, seq);
  return k;
}
inline std::string LogServicePrefix(uint32_t bucket, std::string_view service) {
  std::string k = Bucket(bucket);
  PutName(&k, service);
  return k;
}

inline std::string ServiceNameKey(std::string_view service) {
  std::string k = "s";
  k.append(service);
  return k;
}
inline std::string OperationPrefix(std::string_view service) {
  std::string k = "o";
  PutName(&k, service);
  return k;
}
inline std::string OperationNameKey(std::string_view service, std::string_view op, uint8_t kind) {
  std::string k = OperationPrefix(service);
  PutName(&k, op);
  k.push_back(static_cast<char>(kind));
  return k;
}

}  // namespace callpath::store::keys
