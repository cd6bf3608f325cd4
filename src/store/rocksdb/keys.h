// Key layouts of the RocksDB store. Every time-ordered key starts with its
// 4-byte big-endian time bucket so retention can drop whole buckets with
// one DeleteRange per column family. Times inside index keys are inverted
// (~ns) so a forward scan yields the newest entries first.
//
//   spans      bucket | trace_id | start_ns | span_id            -> span value
//   index      bucket | 'A' | ~start | trace_id | span_id         -> duration, error
//              bucket | 'E' | ~start | trace_id | span_id         -> duration, error
//              bucket | 'S' | service 0 | ~start | trace | span   -> duration, error
//              bucket | 'O' | service 0 op 0 | ~start | trace | span
//              bucket | 'T' | key 0 value 0 | ~start | trace | span
//   traces     trace_id -> summary record (merge operator)
//   logs       bucket | ~time | seq                               -> log value
//   log_trace  bucket | trace_id | time | seq                     -> ""
//   names      's' service -> last bucket;  'o' service 0 op 0 kind -> last bucket
//   resources  hash64 -> encoded resource attributes
//   meta       "bucket_seconds", "retention_cutoff_ns"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "callpath/ids.h"
#include "store/encoding.h"

namespace callpath::store::keys {

constexpr size_t kBucketSize = 4;
constexpr size_t kTracePrefixSize = kBucketSize + 16;   // spans / log_trace prefix
constexpr size_t kIndexTailSize = 8 + 16 + 8;           // ~start | trace | span

enum IndexType : char { kAll = 'A', kError = 'E', kService = 'S', kOperation = 'O', kTag = 'T' };

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
inline std::string SpanKey(uint32_t bucket, const TraceId& t, uint64_t start, const SpanId& s) {
  std::string k = SpanPrefix(bucket, t);
  enc::PutBigEndian64(&k, start);
  k.append(s.AsBytes());
  return k;
}

// bucket | type | names... : the part of an index key before the time.
inline std::string IndexPrefix(uint32_t bucket, IndexType type, std::string_view a = {},
                               std::string_view b = {}, bool two_names = false) {
  std::string k = Bucket(bucket);
  k.push_back(type);
  if (type == kService || type == kOperation || type == kTag) PutName(&k, a);
  if (two_names) PutName(&k, b);
  return k;
}
inline void AppendIndexTail(std::string* k, uint64_t start, const TraceId& t, const SpanId& s) {
  enc::PutBigEndian64(k, ~start);
  k->append(t.AsBytes());
  k->append(s.AsBytes());
}

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
