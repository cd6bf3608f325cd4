// Decodes an OTLP ExportLogsServiceRequest (POST /v1/logs, or the gRPC
// LogsService/Export call) into views of the request body, like
// DecodeTraceRequest does for traces; the same contract applies.
//
// Validation: trace_id must be empty or 16 bytes and span_id empty or 8
// bytes; anything else rejects the whole request.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "otlp/decode/any_value.h"
#include "otlp/decode/resource_view.h"

namespace callpath::otlp {

struct DecodedLogRecord {
  const DecodedScope* scope = nullptr;  // never null; scope->resource neither
  std::string_view raw;                 // the whole encoded LogRecord message
  uint64_t time_unix_nano = 0;          // 0: unknown
  uint64_t observed_time_unix_nano = 0;
  int32_t severity_number = 0;  // 0 unspecified, 1-24 TRACE..FATAL4 (others kept)
  std::string_view severity_text;
  bool has_body = false;
  AnyValueView body;
  std::span<const KeyValueView> attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;            // low 8 bits: W3C trace flags
  std::string_view trace_id;     // 16 bytes or empty
  std::string_view span_id;      // 8 bytes or empty
  std::string_view event_name;
};

class DecodedLogsRequest {
 public:
  std::span<const DecodedLogRecord> records() const noexcept { return records_; }
  std::span<const DecodedScope> scopes() const noexcept { return scopes_; }
  std::span<const DecodedResource> resources() const noexcept { return resources_; }

 private:
  friend class LogsDecoder;
  struct Range {
    uint32_t begin = 0;
    uint32_t count = 0;
  };
  struct ScopeRanges {
    Range attributes;
    uint32_t resource = 0;
  };
  struct RecordRanges {
    Range attributes;
    uint32_t scope = 0;
  };

  void Clear();
  void Link();

  std::vector<DecodedResource> resources_;
  std::vector<DecodedScope> scopes_;
  std::vector<DecodedLogRecord> records_;
  std::vector<KeyValueView> resource_attrs_, scope_attrs_, record_attrs_;
  std::vector<Range> resource_ranges_;
  std::vector<ScopeRanges> scope_ranges_;
  std::vector<RecordRanges> record_ranges_;
};

// Decodes `body` into *out (replacing what it held). Returns false on
// malformed or invalid input, with the reason in *error when `error` is not
// null; *out is then empty.
bool DecodeLogsRequest(std::string_view body, DecodedLogsRequest* out, std::string* error);

}  // namespace callpath::otlp
