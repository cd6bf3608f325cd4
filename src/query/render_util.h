// Pieces shared by the renderers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "query/assembled_trace.h"
#include "store/model.h"
#include "text/json_writer.h"

namespace callpath::query {
// The renderers write through the project's one JSON writer.
using text::JsonWriter;
}  // namespace callpath::query

namespace callpath::query::detail {

// "2024-05-01T12:00:00.123456789Z"
std::string Rfc3339Nanos(uint64_t ns);
// "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" from an OTLP number.
std::string_view SeverityName(int32_t number);
// A value as its natural JSON type (bytes as base64, JSON text as a string).
void WriteValue(JsonWriter& w, const store::Value& v);
// {"k": value, ...}
void WriteAttributesObject(JsonWriter& w, const store::Attributes& attrs);
// Span `i` of `t` as the native API renders it (ids, times, status,
// attributes, events, links, resource, scope, warnings).
void WriteSpan(JsonWriter& w, const AssembledTrace& t, size_t i, uint64_t self_ns, bool critical);
// One log record as the native API renders it.
void WriteLog(JsonWriter& w, const store::StoredLog& log);

}  // namespace callpath::query::detail
