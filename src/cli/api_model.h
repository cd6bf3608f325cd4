// The query API's native JSON documents (/api/v1/...) as the CLI reads
// them: plain values, only the fields the CLI shows. See
// src/query/render.h for the documents themselves.
//
// The Parse* functions accept any bytes: malformed JSON or a document of
// the wrong shape gives InvalidArgument, never a crash or a throw. Missing
// optional fields take their defaults, so an older or newer daemon still
// renders.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"

namespace callpath::cli {

// An attribute with its value as display text (strings unquoted, numbers
// and booleans as JSON writes them, arrays/objects as compact JSON).
struct Field {
  std::string key;
  std::string value;
};

struct SpanView {
  std::string span_id;
  std::string parent_span_id;  // "" for a root span
  std::string service;
  std::string operation;
  std::string kind;
  uint64_t start_ns = 0;
  uint64_t duration_ns = 0;
  uint64_t self_ns = 0;
  uint64_t depth = 0;
  bool critical = false;
  bool error = false;
  std::string status_message;
  // "type: message" of the first "exception" event, if any.
  std::string exception;
  std::vector<std::string> warnings;
  std::vector<Field> attributes;
};

struct LogView {
  uint64_t time_ns = 0;
  std::string level;  // "ERROR", ... ("" when the record has none)
  int64_t severity_number = 0;
  std::string msg;
  std::string service;
  std::string trace_id;  // "" when not in a trace
  std::string span_id;   // "" when not in a span
  std::vector<Field> fields;
};

struct CauseView {
  std::string span_id;
  std::string service;
  std::string operation;
  std::string reason;
};

struct AdjustmentView {
  std::string span_id;
  int64_t delta_ns = 0;
};

struct TraceView {
  std::string trace_id;
  uint64_t start_ns = 0;
  uint64_t duration_ns = 0;
  uint64_t span_count = 0;
  uint64_t error_count = 0;
  std::string root_service;
  std::string root_operation;
  std::vector<std::string> services;
  std::vector<SpanView> spans;  // ordered by start time, as the API sends them
  std::vector<LogView> logs;
  bool has_root_causes = false;  // the document carried "root_causes"
  std::vector<CauseView> error_causes;
  std::vector<CauseView> slow_causes;
  std::vector<AdjustmentView> adjustments;
};

struct TraceSummaryView {
  std::string trace_id;
  std::string root_service;
  std::string root_operation;
  bool has_root = true;
  uint64_t start_ns = 0;
  uint64_t duration_ns = 0;
  uint64_t span_count = 0;
  uint64_t error_count = 0;
  std::vector<std::string> services;
};

struct OperationView {
  std::string name;
  std::string kind;
};

Result<TraceView> ParseTrace(std::string_view json);
Result<std::vector<TraceSummaryView>> ParseSearch(std::string_view json);
Result<std::vector<std::string>> ParseServices(std::string_view json);
Result<std::vector<OperationView>> ParseOperations(std::string_view json);
Result<std::vector<LogView>> ParseLogs(std::string_view json);

// The "error" member of an API error document ({"error":..,"status":..}),
// or "" when `json` is not one.
std::string ParseErrorMessage(std::string_view json);

}  // namespace callpath::cli
