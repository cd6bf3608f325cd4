// Parsed log records into an OTLP ExportLogsServiceRequest (protobuf), the
// body every log path in callpath ends as: callpath-ship sends it, and
// callpathd's Loki and Elasticsearch receivers hand it to the same ingest
// path as OTLP/HTTP (so the same durability and replay rules hold).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/attributes.h"
#include "logparse/parsed_log.h"

namespace callpath::logparse {

// Appends one LogRecord as the repeated field ScopeLogs.log_records.
// `observed_ns` is when the record was read or received.
void AppendLogRecordProto(const ParsedLog& record, uint64_t observed_ns, std::string* out);

struct LogSource {
  std::vector<Attribute> resource;  // resource attributes shared by all records
  std::string default_service;      // service.name for records that name none
  std::string scope_name;           // InstrumentationScope.name ("callpath-ship", "loki")
};

// Appends ResourceLogs to `out` (so several calls build one request): one
// per distinct service among `records` (record.service, else the source's
// default), each with the source's resource attributes plus service.name,
// in order of first appearance.
void AppendResourceLogsProto(const LogSource& source, std::span<const ParsedLog> records,
                             uint64_t observed_ns, std::string* out);

}  // namespace callpath::logparse
