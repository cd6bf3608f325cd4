// The tools' names, descriptions, arguments and output schemas: what an
// agent reads in tools/list to choose a tool and fill its arguments.
#include <algorithm>
#include <array>
#include <string>

#include "daemon/serve/mcp_tool_support.h"
#include "daemon/serve/mcp_tools.h"
#include "text/json_writer.h"

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
    {"log_text", ArgType::kString, false,
     "Some log record of the trace contains this text (case-sensitive), e.g. an error message"},
    {"log_min_severity", ArgType::kStringOrInteger, false,
     "Some log record of the trace has at least this severity: trace, debug, info, warn, error, fatal, or 1..24"},
};

constexpr ArgSpec kGetTraceArgs[] = {
    {"trace_id", ArgType::kString, true, "Trace id in hex (up to 32 digits), e.g. from search_traces"},
    {"attributes", ArgType::kBoolean, false,
     "Also return each span's attributes (costs room: fewer spans fit); default false"},
    {"adjust_skew", ArgType::kBoolean, false,
     "false shows spans where their hosts' clocks put them, without the clock-skew adjustment (default true)"},
};

constexpr ArgSpec kCriticalPathArgs[] = {
    {"trace_id", ArgType::kString, true, "Trace id in hex (up to 32 digits), e.g. from search_traces"},
    {"adjust_skew", ArgType::kBoolean, false,
     "false shows spans where their hosts' clocks put them, without the clock-skew adjustment (default true)"},
};

constexpr ArgSpec kSpanDetailsArgs[] = {
    {"trace_id", ArgType::kString, true, "Trace id in hex, e.g. from search_traces"},
    {"span_ids", ArgType::kStringList, true, "1 to 20 span ids in hex (16 digits), e.g. from get_trace"},
};

constexpr ArgSpec kDependenciesArgs[] = {
    {"service", ArgType::kString, false, "Only the calls to and from this service"},
    {"lookback", ArgType::kString, false, "How far back from end (\"15m\", \"2h\"); default 24h"},
    {"start", ArgType::kStringOrInteger, false, kTimeHelp},
    {"end", ArgType::kStringOrInteger, false, kTimeHelp},
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

constexpr ArgSpec kGetTraceLogsArgs[] = {
    {"trace_id", ArgType::kString, true, "Trace id in hex, e.g. from search_traces"},
    {"min_severity", ArgType::kStringOrInteger, false,
     "Lowest severity: trace, debug, info, warn, error, fatal, or an OTLP number 1..24"},
    {"text", ArgType::kString, false, "Case-sensitive substring of the message"},
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
"critical_path":{"type":"boolean"},
"attributes":{"type":"object","additionalProperties":{"type":"string"},"description":"only when asked for"}},
"required":["span_id","parent_span_id","depth","service","operation","kind","start_offset_ns",
"duration_ns","self_ns","status","error_message","critical_path"]}},
"omitted":{"type":"array","description":"spans left out, by service and operation",
"items":{"type":"object","properties":{"service":{"type":"string"},"operation":{"type":"string"},
"count":{"type":"integer"}},"required":["service","operation","count"]}},
"total_count":{"type":"integer"},"returned_count":{"type":"integer"},"truncated":{"type":"boolean"}},
"required":["trace_id","start_time","duration_ns","span_count","error_count","services","spans",
"omitted","total_count","returned_count","truncated"]})";

constexpr std::string_view kCriticalPathOut = R"({"type":"object","properties":{
"trace_id":{"type":"string"},"duration_ns":{"type":"integer"},
"segments":{"type":"array","items":{"type":"object","properties":{
"span_id":{"type":"string"},"service":{"type":"string"},"operation":{"type":"string"},
"start_offset_ns":{"type":"integer"},"duration_ns":{"type":"integer"},
"status":{"type":"string","enum":["unset","ok","error"]}},
"required":["span_id","service","operation","start_offset_ns","duration_ns","status"]}},
"total_count":{"type":"integer"},"returned_count":{"type":"integer"},"truncated":{"type":"boolean"}},
"required":["trace_id","duration_ns","segments","total_count","returned_count","truncated"]})";

constexpr std::string_view kSearchLogsOut = R"({"type":"object","properties":{
"logs":{"type":"array","items":{"type":"object","properties":{
"time":{"type":"string"},"severity":{"type":"string"},"severity_number":{"type":"integer"},
"service":{"type":"string"},"body":{"type":"string"},"trace_id":{"type":"string"},
"span_id":{"type":"string"}},
"required":["time","severity","severity_number","service","body","trace_id","span_id"]}},
"total_count":{"type":"integer","description":"matching records, counted up to 1000"},
"truncated":{"type":"boolean"}},
"required":["logs","total_count","truncated"]})";

constexpr std::string_view kSpanDetailsOut = R"({"type":"object","properties":{
"trace_id":{"type":"string"},
"spans":{"type":"array","items":{"type":"object","properties":{
"span_id":{"type":"string"},"parent_span_id":{"type":"string"},"service":{"type":"string"},
"operation":{"type":"string"},"kind":{"type":"string"},"start_time":{"type":"string"},
"duration_ns":{"type":"integer"},"status":{"type":"string","enum":["unset","ok","error"]},
"status_message":{"type":"string"},
"attributes":{"type":"array","items":{"type":"object","properties":{"key":{"type":"string"},"value":{"type":"string"}},"required":["key","value"]}},
"resource":{"type":"array","items":{"type":"object","properties":{"key":{"type":"string"},"value":{"type":"string"}},"required":["key","value"]}},
"events":{"type":"array","items":{"type":"object","properties":{"time":{"type":"string"},
"name":{"type":"string"},"attributes":{"type":"array","items":{"type":"object","properties":{"key":{"type":"string"},"value":{"type":"string"}},"required":["key","value"]}}},
"required":["time","name","attributes"]}},
"links":{"type":"array","items":{"type":"object","properties":{"trace_id":{"type":"string"},
"span_id":{"type":"string"},"attributes":{"type":"array","items":{"type":"object","properties":{"key":{"type":"string"},"value":{"type":"string"}},"required":["key","value"]}}},
"required":["trace_id","span_id","attributes"]}},
"logs":{"type":"array","items":{"type":"object","properties":{"time":{"type":"string"},
"severity":{"type":"string"},"body":{"type":"string"}},"required":["time","severity","body"]}}},
"required":["span_id","parent_span_id","service","operation","kind","start_time","duration_ns","status",
"status_message","attributes","resource","events","links","logs"]}},
"not_found":{"type":"array","items":{"type":"string"}},
"total_count":{"type":"integer"},"returned_count":{"type":"integer"},"truncated":{"type":"boolean"}},
"required":["trace_id","spans","not_found","total_count","returned_count","truncated"]})";

constexpr std::string_view kDependenciesOut = R"({"type":"object","properties":{
"start_time":{"type":"string"},"end_time":{"type":"string"},
"edges":{"type":"array","items":{"type":"object","properties":{
"caller":{"type":"string"},"callee":{"type":"string"},"call_count":{"type":"integer"}},
"required":["caller","callee","call_count"]}},
"services":{"type":"array","items":{"type":"string"}},
"total_count":{"type":"integer"},"truncated":{"type":"boolean"}},
"required":["start_time","end_time","edges","services","total_count","truncated"]})";

constexpr std::array<ToolSpec, 9> kTools = {{
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
    {"get_critical_path", "Get a trace's critical path",
     "The chain of spans the trace waited on, as segments in time order: which span held the request "
     "and for how long. When they do not all fit, the longest segments are kept.",
     kCriticalPathArgs, kCriticalPathOut},
    {"get_trace_logs", "Get a trace's logs",
     "The log records of one trace, newest first, optionally from a minimum severity or with a text.",
     kGetTraceLogsArgs, kSearchLogsOut},
    {"search_logs", "Search logs",
     "Log records by trace, service, minimum severity, message text and time range, newest first.",
     kSearchLogsArgs, kSearchLogsOut},
    {"get_span_details", "Get span details",
     "Everything about up to 20 spans of one trace: attributes, resource, events (exceptions), links, "
     "status and the span's own log records.",
     kSpanDetailsArgs, kSpanDetailsOut},
    {"get_service_dependencies", "Get service dependencies",
     "Which service calls which, with call counts, over a time window (default the last 24 hours); "
     "optionally only the calls to and from one service. Busiest edges first.",
     kDependenciesArgs, kDependenciesOut},
}};


std::string WithoutNewlines(std::string_view s) {
  std::string out(s);
  std::erase(out, '\n');
  return out;
}

void WriteInputSchema(std::span<const ArgSpec> args, text::JsonWriter& w) {
  static constexpr std::string_view kTypes[] = {"string", "integer", "boolean"};
  w.BeginObject();
  w.Field("type", "object");
  w.Key("properties");
  w.BeginObject();
  for (const ArgSpec& a : args) {
    w.Key(a.name);
    w.BeginObject();
    if (a.type == ArgType::kStringOrInteger) {
      w.Key("type");
      w.RawValue(R"(["string","integer"])");
    } else if (a.type == ArgType::kStringList) {
      w.Field("type", "array");
      w.Key("items");
      w.RawValue(R"({"type":"string"})");
    } else {
      w.Field("type", kTypes[static_cast<int>(a.type)]);
    }
    w.Field("description", a.description);
    w.EndObject();
  }
  w.EndObject();
  // An empty "required" is invalid in JSON Schema draft 4, which some clients still validate with.
  if (std::any_of(args.begin(), args.end(), [](const ArgSpec& a) { return a.required; })) {
    w.Key("required");
    w.BeginArray();
    for (const ArgSpec& a : args) {
      if (a.required) w.String(a.name);
    }
    w.EndArray();
  }
  w.FieldBool("additionalProperties", false);
  w.EndObject();
}

}  // namespace

std::span<const ToolSpec> ToolCatalog() { return kTools; }

}  // namespace callpath::daemon::mcp

namespace callpath::daemon {

std::string McpTools::ListTools() {
  text::JsonWriter w;
  w.BeginObject();
  w.Key("tools");
  w.BeginArray();
  for (const mcp::ToolSpec& t : mcp::ToolCatalog()) {
    w.BeginObject();
    w.Field("name", t.name);
    w.Field("title", t.title);
    w.Field("description", t.description);
    w.Key("inputSchema");
    mcp::WriteInputSchema(t.args, w);
    w.Key("outputSchema");
    w.RawValue(mcp::WithoutNewlines(t.output_schema));
    w.Key("annotations");
    w.RawValue(R"({"readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":false})");
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::daemon
