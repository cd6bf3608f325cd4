// Statistics rows of the RocksDB store (stats.h) as keys and values of its
// `stats` column family (format 7):
//
//   bucket | 'O' | service 0 | minute | operation 0 | kind   -> operation row
//   bucket | 'L' | service 0 | minute | template_id | severity -> log template row
//
// bucket is the store's time bucket of the minute (so retention drops
// statistics with the data, by the same DeleteRange); minute is the row's
// start in ns, template_id 8 bytes and severity 4 bytes (the int32 offset
// by 2^31), all big-endian, so the rows of one service lie in time order.
// A value holds the rest of the row; the writer keeps each row whole (one
// Put of the merged row, stats_aggregate.h), never partial.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/stats.h"

namespace callpath::store::stats_keys {

constexpr char kOperationRow = 'O';
constexpr char kLogTemplateRow = 'L';

// bucket | type | service 0 : every row of one service in one bucket.
std::string ServicePrefix(uint32_t bucket, char type, std::string_view service);

std::string OperationKey(uint32_t bucket, const OperationStats& row);
std::string LogTemplateKey(uint32_t bucket, const LogTemplateStats& row);

// The parts of a key after its bucket and type; false when malformed.
struct ParsedKey {
  uint32_t bucket = 0;
  char type = 0;
  std::string_view service;
  uint64_t minute = 0;
  std::string_view operation;  // operation rows
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t template_id = 0;    // log template rows
  int32_t severity_number = 0;
};
bool ParseKey(std::string_view key, ParsedKey* out);

// Values: the row's counts and sketches (the key holds the rest).
void EncodeOperationValue(const OperationStats& row, std::string* out);
bool DecodeOperationValue(std::string_view value, OperationStats* row);
void EncodeLogTemplateValue(const LogTemplateStats& row, std::string* out);
bool DecodeLogTemplateValue(std::string_view value, LogTemplateStats* row);

}  // namespace callpath::store::stats_keys
