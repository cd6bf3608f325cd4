#include "store/rocksdb/stats_record.h"

#include "store/encoding.h"
#include "store/rocksdb/keys.h"

namespace callpath::store::stats_keys {

namespace {

constexpr uint8_t kValueVersion = 1;
constexpr uint32_t kSeverityOffset = 0x80000000u;

// A name ends at its 0 separator (keys::PutName).
bool TakeName(std::string_view* rest, std::string_view* name) {
  const size_t end = rest->find('\0');
  if (end == std::string_view::npos) return false;
  *name = rest->substr(0, end);
  rest->remove_prefix(end + 1);
  return true;
}

void PutSketch(std::string* out, const LatencySketch& s) {
  std::string bytes;
  s.EncodeTo(&bytes);
  enc::PutBytes(out, bytes);
}

bool GetSketch(enc::Reader* r, LatencySketch* s) {
  std::string_view bytes;
  if (!r->Bytes(&bytes)) return false;
  Result<LatencySketch> decoded = LatencySketch::Decode(bytes);
  if (!decoded.ok()) return false;
  *s = std::move(*decoded);
  return true;
}

}  // namespace

std::string ServicePrefix(uint32_t bucket, char type, std::string_view service) {
  std::string k = keys::Bucket(bucket);
  k.push_back(type);
  keys::PutName(&k, service);
  return k;
}

std::string OperationKey(uint32_t bucket, const OperationStats& row) {
  std::string k = ServicePrefix(bucket, kOperationRow, row.service);
  enc::PutBigEndian64(&k, row.start_ns);
  keys::PutName(&k, row.operation);
  k.push_back(static_cast<char>(row.kind));
  return k;
}

std::string LogTemplateKey(uint32_t bucket, const LogTemplateStats& row) {
  std::string k = ServicePrefix(bucket, kLogTemplateRow, row.service);
  enc::PutBigEndian64(&k, row.start_ns);
  enc::PutBigEndian64(&k, row.template_id);
  enc::PutBigEndian32(&k, static_cast<uint32_t>(row.severity_number) + kSeverityOffset);
  return k;
}

bool ParseKey(std::string_view key, ParsedKey* out) {
  if (key.size() < keys::kBucketSize + 1) return false;
  out->bucket = enc::ReadBigEndian32(key.data());
  out->type = key[keys::kBucketSize];
  std::string_view rest = key.substr(keys::kBucketSize + 1);
  if (!TakeName(&rest, &out->service) || rest.size() < 8) return false;
  out->minute = enc::ReadBigEndian64(rest.data());
  rest.remove_prefix(8);
  if (out->type == kOperationRow) {
    if (!TakeName(&rest, &out->operation) || rest.size() != 1) return false;
    out->kind = static_cast<SpanKind>(static_cast<uint8_t>(rest[0]));
    return true;
  }
  if (out->type == kLogTemplateRow) {
    if (rest.size() != 12) return false;
    out->template_id = enc::ReadBigEndian64(rest.data());
    out->severity_number = static_cast<int32_t>(enc::ReadBigEndian32(rest.data() + 8) - kSeverityOffset);
    return true;
  }
  return false;
}

void EncodeOperationValue(const OperationStats& row, std::string* out) {
  out->push_back(static_cast<char>(kValueVersion));
  enc::PutVarint(out, row.calls);
  enc::PutVarint(out, row.errors);
  enc::PutVarint(out, row.root_calls);
  PutSketch(out, row.duration);
  PutSketch(out, row.self_time);
}

bool DecodeOperationValue(std::string_view value, OperationStats* row) {
  enc::Reader r(value);
  uint8_t version = 0;
  return r.Byte(&version) && version == kValueVersion && r.Varint(&row->calls) && r.Varint(&row->errors) &&
         r.Varint(&row->root_calls) && GetSketch(&r, &row->duration) && GetSketch(&r, &row->self_time) && r.done();
}

void EncodeLogTemplateValue(const LogTemplateStats& row, std::string* out) {
  out->push_back(static_cast<char>(kValueVersion));
  enc::PutVarint(out, row.count);
  enc::PutVarint(out, row.in_traces);
  enc::PutBytes(out, row.template_text);
}

bool DecodeLogTemplateValue(std::string_view value, LogTemplateStats* row) {
  enc::Reader r(value);
  uint8_t version = 0;
  return r.Byte(&version) && version == kValueVersion && r.Varint(&row->count) && r.Varint(&row->in_traces) &&
         r.String(&row->template_text) && r.done();
}

}  // namespace callpath::store::stats_keys
