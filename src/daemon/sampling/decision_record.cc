#include "daemon/sampling/decision_record.h"

#include <cstring>

namespace callpath::daemon::sampling {

namespace {

constexpr size_t kHeaderBytes = 8 + 4;
constexpr size_t kEntryBytes = 16 + 1;

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

}  // namespace

std::string EncodeDecisionRecord(const DecisionRecord& record) {
  std::string out;
  out.reserve(kHeaderBytes + record.traces.size() * kEntryBytes);
  PutLe(&out, record.covered_through_lsn, 8);
  PutLe(&out, record.traces.size(), 4);
  for (const auto& [id, kept] : record.traces) {
    out.append(reinterpret_cast<const char*>(id.bytes().data()), 16);
    out.push_back(kept ? 1 : 0);
  }
  return out;
}

Result<DecisionRecord> DecodeDecisionRecord(std::string_view body) {
  if (body.size() < kHeaderBytes) return InvalidArgument("sampling decision record too short");
  DecisionRecord out;
  out.covered_through_lsn = GetLe(body.data(), 8);
  const uint64_t count = GetLe(body.data() + 8, 4);
  if (body.size() != kHeaderBytes + count * kEntryBytes) {
    return InvalidArgument("sampling decision record of " + std::to_string(body.size()) + " bytes for " +
                           std::to_string(count) + " traces");
  }
  out.traces.reserve(count);
  const char* p = body.data() + kHeaderBytes;
  for (uint64_t i = 0; i < count; ++i, p += kEntryBytes) {
    TraceId id;
    std::memcpy(id.mutable_bytes().data(), p, 16);
    out.traces.emplace_back(id, p[16] != 0);
  }
  return out;
}

}  // namespace callpath::daemon::sampling
