// PushedLogs: what a push API request (Loki, Elasticsearch _bulk) decodes
// into - streams of parsed records, each with the resource it came from -
// ready for AppendResourceLogsProto.
#pragma once

#include <string>
#include <vector>

#include "logparse/otlp_logs.h"
#include "logparse/parsed_log.h"

namespace callpath::logparse {

struct LogStream {
  LogSource source;
  std::vector<ParsedLog> records;
};

struct PushedLogs {
  std::vector<LogStream> streams;

  size_t record_count() const noexcept {
    size_t n = 0;
    for (const LogStream& s : streams) n += s.records.size();
    return n;
  }
  // The ExportLogsServiceRequest (protobuf) of every stream.
  std::string EncodeOtlp(uint64_t observed_ns) const {
    std::string out;
    for (const LogStream& s : streams) AppendResourceLogsProto(s.source, s.records, observed_ns, &out);
    return out;
  }
};

// The service.name of a stream that names none (OpenTelemetry's convention).
inline constexpr char kUnknownService[] = "unknown_service";

}  // namespace callpath::logparse
