// What the MCP tools share (mcp_tools.cc, mcp_get_trace.cc): checked
// arguments and a list writer that keeps to a byte budget.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "callpath/status.h"
#include "query/assembled_trace.h"
#include "store/store.h"
#include "text/json_writer.h"

namespace callpath::daemon::mcp {

// kStringList: a JSON array of strings, kept in Args joined by '\n'.
enum class ArgType { kString, kInteger, kBoolean, kStringOrInteger, kStringList };

struct ArgSpec {
  std::string_view name;
  ArgType type;
  bool required;
  std::string_view description;
};

struct ToolSpec {
  std::string_view name;
  std::string_view title;
  std::string_view description;
  std::span<const ArgSpec> args;
  std::string_view output_schema;  // JSON Schema text
};

// Every tool, in the order tools/list gives them (mcp_tool_catalog.cc).
std::span<const ToolSpec> ToolCatalog();

// A tool's arguments, names and types already checked against its
// inputSchema; numbers and booleans as their JSON text.
using Args = std::map<std::string, std::string, std::less<>>;

inline std::string Arg(const Args& args, std::string_view name, std::string_view fallback = {}) {
  auto it = args.find(name);
  return it == args.end() ? std::string(fallback) : it->second;
}

// Collects the items of one list (each a complete JSON value) until the
// next one would take the total past `budget` bytes; from then on it only
// counts. Keeps the result bounded however large what the store returns.
class BoundedItems {
 public:
  explicit BoundedItems(size_t budget) : budget_(budget) {}

  void Add(std::string_view item_json) {
    if (truncated_ || items_.size() + item_json.size() + 1 > budget_) {
      truncated_ = true;
      return;
    }
    if (count_ > 0) items_.push_back(',');
    items_.append(item_json);
    ++count_;
  }
  size_t count() const { return count_; }
  bool truncated() const { return truncated_; }
  size_t bytes() const { return items_.size(); }
  // Writes `key`: [items].
  void Write(std::string_view key, text::JsonWriter& w) const {
    w.Key(key);
    w.RawValue("[" + items_ + "]");
  }

 private:
  size_t budget_;
  std::string items_;
  size_t count_ = 0;
  bool truncated_ = false;
};

// What the native query parsers say of a parameter ("parameter level:
// ..."), said of the tool's argument, with a hint to fix the call.
Status AsArgumentError(const Status& s);
// Appends key=value, percent-encoded, to the query string `qs`.
void AppendParam(std::string& qs, std::string_view key, std::string_view value);
// Appends argument `name` (a start or end time: Unix ns, RFC 3339 or a
// duration ago) to `qs` as the native API takes it; "" = nothing appended.
Status AppendTimeParam(std::string& qs, const Args& args, std::string_view name);

// At most `max_bytes` of `s`, cut at a UTF-8 boundary, with "..." when cut:
// one huge message must not take a whole result.
std::string Clip(std::string_view s, size_t max_bytes = 2048);

// get_trace's structuredContent within `budget` bytes, or an error whose
// message tells the caller how to fix the call (the tool's isError text).
// The trace is assembled with `assemble` unless args say adjust_skew=false.
Result<std::string> GetTraceContent(store::Store& store, const Args& args, size_t budget,
                                    const query::AssembleOptions& assemble);
// get_critical_path's structuredContent, the same way.
Result<std::string> CriticalPathContent(store::Store& store, const Args& args, size_t budget,
                                        const query::AssembleOptions& assemble);
// get_span_details's structuredContent (mcp_span_details.cc).
Result<std::string> SpanDetailsContent(store::Store& store, const Args& args, size_t budget);
// get_service_dependencies's structuredContent (mcp_span_details.cc).
Result<std::string> DependenciesContent(store::Store& store, const Args& args, size_t budget, uint64_t now_ns);

// The trace named by argument trace_id, assembled with `defaults` (skew
// adjusted unless argument adjust_skew is false); errors say how to fix
// the call.
Result<query::AssembledTrace> LoadTrace(store::Store& store, const Args& args,
                                        const query::AssembleOptions& defaults = {});

}  // namespace callpath::daemon::mcp
