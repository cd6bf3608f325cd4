// The tools callpathd's MCP endpoint offers (mcp_server.h), over the same
// store readers and query functions as the HTTP query API:
//
//   list_services     services seen
//   list_operations   operations of one service
//   search_traces     trace summaries by service, operation, span and trace
//                     durations, errors, time range (default 10, max 100)
//   get_trace         one trace as a flat tree of spans: depth, self time,
//                     status, error message, critical-path flag
//   get_critical_path the segments of one trace's critical path
//   get_trace_logs    the log records of one trace
//   search_logs       log records by service, severity, text, trace id, time
//   get_span_details  up to 20 spans whole: attributes, resource, events,
//                     links, status and their log records
//   get_service_dependencies  the service call graph of a time window
//
// Every result has structuredContent conforming to the tool's outputSchema
// (arrays never null, lists with total_count and truncated) and the same
// JSON as text, and stays under the size budget as serialized. Lists are in
// a deterministic order.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "query/assembled_trace.h"
#include "store/store.h"

namespace callpath::daemon {

struct ToolCallOutcome {
  // Set when the call itself is malformed (unknown tool, argument of a
  // wrong name or type, required one missing): a JSON-RPC -32602 error
  // with `message`. Otherwise `result` is the CallToolResult object (JSON),
  // with isError true when the tool could not answer (bad id, not found).
  bool invalid_params = false;
  std::string message;
  std::string result;
};

class McpTools {
 public:
  // `store` must outlive the tools. `budget_bytes`: the largest result.
  // `assemble`: how get_trace assembles traces (adjust_skew may turn the
  // skew adjustment off per call).
  McpTools(store::Store& store, size_t budget_bytes, query::AssembleOptions assemble = {});

  // The tools/list result: {"tools":[{name,title,description,inputSchema,
  // outputSchema,annotations}]}, in a fixed order.
  static std::string ListTools();

  // Runs tool `name` with `arguments` (absent when the call has none).
  // Thread-safe.
  ToolCallOutcome Call(std::string_view name, const std::optional<simdjson::dom::object>& arguments,
                       uint64_t now_ns) const;

 private:
  store::Store& store_;
  size_t budget_;
  query::AssembleOptions assemble_;
};

}  // namespace callpath::daemon
