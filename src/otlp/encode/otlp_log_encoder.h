// Encodes log records as OTLP protobuf (opentelemetry.proto.logs.v1).
// Strings are made valid UTF-8 on the way (protobuf `string` requires it):
// each ill-formed sequence becomes U+FFFD.
#pragma once

#include <string>
#include <string_view>

#include "callpath/log/record.h"
#include "callpath/span_data.h"
#include "otlp/wire/proto_writer.h"

namespace callpath::log::detail {

// Appends `record` as a LogRecord, as the repeated field
// ScopeLogs.log_records. Fields become attributes: strings and errors
// string_value, signed integers and durations (nanoseconds) int_value,
// unsigned integers int_value (string_value above INT64_MAX), floats
// double_value, bools bool_value, objects kvlist_value. The logger name and
// caller become logger.name, code.file.path and code.line.number.
void AppendLogRecordProto(const Record& record, std::string* out);

// Wraps `log_records` (concatenated AppendLogRecordProto output) into an
// ExportLogsServiceRequest with one ResourceLogs and one ScopeLogs.
void AppendExportLogsRequestProto(const Resource& resource, const InstrumentationScope& scope,
                                  std::string_view log_records, std::string* out);

// "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL".
std::string_view SeverityText(Level level) noexcept;

}  // namespace callpath::log::detail
