// The tools' names, descriptions, arguments and output schemas: what an
// agent reads in tools/list to choose a tool and fill its arguments.
#include <array>

#include "daemon/serve/mcp_tool_support.h"

namespace callpath::daemon::mcp {
namespace {

constexpr std::string_view kTimeHelp =
    "RFC 3339 time (2026-05-01T14:02:00Z), Unix nanoseconds, or a duration ago (\"15m\")";

constexpr ArgSpec kListOperationsArgs[] = {
    {"service", ArgType::kString, true, "Service name, as list_services gives it"},
};

constexpr ArgSpec kSearchTracesArgs[] = {
    {"service", ArgType::kString, false, "Some span of the trace is of this service"},
    {"operation", ArgType::kString, false, "...and has this operation (span name); needs service"},
    {"min_duration", ArgType::kString, false, "Some matching span lasts at least this long (\"250ms\", \"2s\")"},
    {"max_duration", ArgType::kString, false, "...and at most this long"},
    {"min_trace_duration", ArgType::kString, false, "The whole trace lasts at least this long"},
    {"max_trace_duration", ArgType::kString, false, "The whole trace lasts at most this long"},
    {"errors_only", ArgType::kBoolean, false, "Only traces with a span of status ERROR"},
    {"lookback", ArgType::kString, false, "How far back from end to search (\"15m\", \"2h\"); default 1h"},
    {"start", ArgType::kStringOrInteger, false, kTimeHelp},
    {"end", ArgType::kStringOrInteger, false, kTimeHelp},
    {"limit", ArgType::kInteger, false, "Traces to return, 1..100, default 10 (newest first)"},
};

constexpr ArgSpec kGetTraceArgs[] = {
    {"trace_id", ArgType::kString, true, "Trace id in hex (up to 32 digits), e.g. from search_traces"},
};

constexpr ArgSpec kSearchLogsArgs[] = {
    {"trace_id", ArgType::kString, false, "Only the log records of this trace (hex); any time then"},
    {"service", ArgType::kString, false, "Only records of this service"},
    {"min_severity", ArgType::kStringOrInteger, false,
     "Lowest severity: trace, debug, info, warn, error, fatal, or an OTLP number 1..24"},
    {"text", ArgType::kString, false, "Case-sensitive substring of the message"},
    {"lookback", ArgType::kString, false, "How far back from end (\"15m\"); default 1h without trace_id"},
    {"start", ArgType::kStringOrInteger, false, kTimeHelp},
    {"end", ArgType::kStringOrInteger, false, kTimeHelp},
    {"limit", ArgType::kInteger, false, "Records to return, 1..100, default 20 (newest first)"},
};

constexpr std::string_view kListServicesOut = R"({"type":"object","properties":{
"services":{"type":"array","items":{"type":"string"}},
"total_count":{"type":"integer"},"truncated":{"type":"boolean"}},
"required":["services","total_count","truncated"]})";

constexpr std::string_view kListOperationsOut = R"({"type":"object","properties":{
"service":{"type":"string"},
"operations":{"type":"array","items":{"type":"object","properties":{
"name":{"type":"string"},"kind":{"type":"string"}},"required":["name","kind"]}},
"total_count":{"type":"integer"},"truncated":{"type":"boolean"}},
"required":["service","operations","total_count","truncated"]})";

constexpr std::string_view kSearchTracesOut = R"({"type":"object","properties":{
"traces":{"type":"array","items":{"type":"object","properties":{
"trace_id":{"type":"string"},"root_service":{"type":"string"},"root_operation":{"type":"string"},
"start_time":{"type":"string"},"duration_ns":{"type":"integer"},"span_count":{"type":"integer"},
"error_count":{"type":"integer"},"services":{"type":"array","items":{"type":"string"}}},
"required":["trace_id","root_service","root_operation","start_time","duration_ns","span_count",
"error_count","services"]}},
"total_count":{"type":"integer","description":"matching traces, counted up to 1000"},
"truncated":{"type":"boolean"}},
"required":["traces","total_count","truncated"]})";

constexpr std::string_view kGetTraceOut = R"({"type":"object","properties":{
"trace_id":{"type":"string"},"start_time":{"type":"string"},"duration_ns":{"type":"integer"},
"span_count":{"type":"integer"},"error_count":{"type":"integer"},
"services":{"type":"array","items":{"type":"string"}},
"spans":{"type":"array","items":{"type":"object","properties":{
"span_id":{"type":"string"},"parent_span_id":{"type":"string"},"depth":{"type":"integer"},
"service":{"type":"string"},"operation":{"type":"string"},"kind":{"type":"string"},
"start_offset_ns":{"type":"integer"},"duration_ns":{"type":"integer"},"self_ns":{"type":"integer"},
"status":{"type":"string","enum":["unset","ok","error"]},"error_message":{"type":"string"},
"critical_path":{"type":"boolean"}},
"required":["span_id","parent_span_id","depth","service","operation","kind","start_offset_ns",
"duration_ns","self_ns","status","error_message","critical_path"]}},
"omitted":{"type":"array","description":"spans left out, by service and operation",
"items":{"type":"object","properties":{"service":{"type":"string"},"operation":{"type":"string"},
"count":{"type":"integer"}},"required":["service","operation","count"]}},
"total_count":{"type":"integer"},"returned_count":{"type":"integer"},"truncated":{"type":"boolean"}},
"required":["trace_id","start_time","duration_ns","span_count","error_count","services","spans",
"omitted","total_count","returned_count","truncated"]})";

constexpr std::string_view kSearchLogsOut = R"({"type":"object","properties":{
"logs":{"type":"array","items":{"type":"object","properties":{
"time":{"type":"string"},"severity":{"type":"string"},"severity_number":{"type":"integer"},
"service":{"type":"string"},"body":{"type":"string"},"trace_id":{"type":"string"},
"span_id":{"type":"string"}},
"required":["time","severity","severity_number","service","body","trace_id","span_id"]}},
"total_count":{"type":"integer","description":"matching records, counted up to 1000"},
"truncated":{"type":"boolean"}},
"required":["logs","total_count","truncated"]})";

constexpr std::array<ToolSpec, 5> kTools = {{
    {"list_services", "List services", "Every service that sent spans, sorted by name.", {}, kListServicesOut},
    {"list_operations", "List operations", "The operations (span names) of one service, with their span kind.",
     kListOperationsArgs, kListOperationsOut},
    {"search_traces", "Search traces",
     "Find traces by service, operation, span or trace duration, errors and time range. Returns "
     "summaries (no spans), newest first; read one with get_trace.",
     kSearchTracesArgs, kSearchTracesOut},
    {"get_trace", "Get a trace",
     "One trace as a flat list of spans in tree order (depth-first), with self time, status, error "
     "message and whether the span is on the critical path. Large traces keep error and critical-path "
     "spans first and list what was left out by service and operation.",
     kGetTraceArgs, kGetTraceOut},
    {"search_logs", "Search logs",
     "Log records by trace, service, minimum severity, message text and time range, newest first.",
     kSearchLogsArgs, kSearchLogsOut},
}};

}  // namespace

std::span<const ToolSpec> ToolCatalog() { return kTools; }

}  // namespace callpath::daemon::mcp
