#include "daemon/serve/mcp_tools.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "daemon/serve/mcp_tool_support.h"
#include "query/params.h"
#include "query/render_util.h"
#include "text/hex.h"
#include "text/json_writer.h"

namespace callpath::daemon {
namespace {

using mcp::AppendParam;
using mcp::AppendTimeParam;
using mcp::Arg;
using mcp::Args;
using mcp::AsArgumentError;
using mcp::ArgSpec;
using mcp::ArgType;
using mcp::BoundedItems;

// How many matches search_traces and search_logs count (total_count) before
// returning the first `limit`.
constexpr size_t kCountCap = 1000;
// Room kept for the fields around a list.
constexpr size_t kEnvelopeBytes = 512;

// Checks `in` against the tool's arguments; "" when they fit, else what is wrong.
std::string CheckArgs(const mcp::ToolSpec& tool, const std::optional<simdjson::dom::object>& in, Args* out) {
  if (in) {
    for (auto field : *in) {
      auto spec = std::find_if(tool.args.begin(), tool.args.end(),
                               [&](const ArgSpec& a) { return a.name == field.key; });
      if (spec == tool.args.end()) {
        return "unknown argument '" + std::string(field.key) + "' for tool " + std::string(tool.name);
      }
      simdjson::dom::element v = field.value;
      std::string_view s;
      int64_t i;
      bool b;
      if ((spec->type == ArgType::kString || spec->type == ArgType::kStringOrInteger) &&
          v.get_string().get(s) == simdjson::SUCCESS) {
        (*out)[std::string(field.key)] = std::string(s);
      } else if ((spec->type == ArgType::kInteger || spec->type == ArgType::kStringOrInteger) &&
                 v.get_int64().get(i) == simdjson::SUCCESS && i >= 0) {
        (*out)[std::string(field.key)] = std::to_string(i);
      } else if (spec->type == ArgType::kBoolean && v.get_bool().get(b) == simdjson::SUCCESS) {
        (*out)[std::string(field.key)] = b ? "true" : "false";
      } else if (simdjson::dom::array list;
                 spec->type == ArgType::kStringList && v.get_array().get(list) == simdjson::SUCCESS) {
        std::string joined;
        for (simdjson::dom::element item : list) {
          if (item.get_string().get(s) != simdjson::SUCCESS) {
            return "argument '" + std::string(field.key) + "' of tool " + std::string(tool.name) +
                   " must be an array of strings";
          }
          if (!joined.empty()) joined += '\n';
          joined += s;
        }
        (*out)[std::string(field.key)] = std::move(joined);
      } else {
        return "argument '" + std::string(field.key) + "' of tool " + std::string(tool.name) +
               " has the wrong type (see its inputSchema)";
      }
    }
  }
  for (const ArgSpec& a : tool.args) {
    if (a.required && !out->count(a.name)) {
      return "tool " + std::string(tool.name) + " needs argument '" + std::string(a.name) + "'";
    }
  }
  return {};
}

Result<size_t> Limit(const Args& args, size_t fallback) {
  std::string v = Arg(args, "limit");
  if (v.empty()) return fallback;
  size_t n = std::stoull(v);  // CheckArgs let only non-negative integers through
  if (n < 1 || n > 100) return InvalidArgument("argument limit: must be 1..100; narrow the search instead");
  return n;
}

Result<std::string> ListServices(store::Store& store, const Args&, size_t budget) {
  auto services = store.span_reader().GetServices();
  if (!services.ok()) return services.status();
  std::vector<std::string> sorted = std::move(services).value();
  std::sort(sorted.begin(), sorted.end());
  BoundedItems items(budget - kEnvelopeBytes);
  for (const auto& s : sorted) {
    text::JsonWriter one;
    one.String(s);
    items.Add(one.str());
  }
  text::JsonWriter w;
  w.BeginObject();
  items.Write("services", w);
  w.FieldUint("total_count", sorted.size());
  w.FieldBool("truncated", items.truncated());
  w.EndObject();
  return w.Take();
}

Result<std::string> ListOperations(store::Store& store, const Args& args, size_t budget) {
  std::string service = Arg(args, "service");
  auto ops = store.span_reader().GetOperations(service, std::nullopt);
  if (!ops.ok()) return ops.status();
  std::vector<store::Operation> sorted = std::move(ops).value();
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.name, a.kind) < std::pair(b.name, b.kind);
  });
  BoundedItems items(budget - kEnvelopeBytes - std::min(service.size() * 6, budget / 4));
  for (const auto& op : sorted) {
    text::JsonWriter one;
    one.BeginObject();
    one.Field("name", mcp::Clip(op.name));
    one.Field("kind", store::SpanKindName(op.kind));
    one.EndObject();
    items.Add(one.str());
  }
  text::JsonWriter w;
  w.BeginObject();
  w.Field("service", mcp::Clip(service));
  items.Write("operations", w);
  w.FieldUint("total_count", sorted.size());
  w.FieldBool("truncated", items.truncated());
  w.EndObject();
  return w.Take();
}

void WriteTraceSummary(const store::TraceSummary& t, text::JsonWriter& w) {
  w.BeginObject();
  w.Field("trace_id", t.trace_id.ToHex());
  w.Field("root_service", mcp::Clip(t.root_service));
  w.Field("root_operation", mcp::Clip(t.root_operation));
  w.Field("start_time", query::detail::Rfc3339Nanos(t.start_ns));
  w.FieldUint("duration_ns", t.duration_ns);
  w.FieldUint("span_count", t.span_count);
  w.FieldUint("error_count", t.error_count);
  w.Key("services");
  w.BeginArray();
  for (const auto& s : t.services) w.String(mcp::Clip(s, 256));
  w.EndArray();
  w.EndObject();
}

// {"<key>":[the first `limit` of `all`, as many as fit `budget`],
// "total_count":N,"truncated":bool}: the shape of every search answer.
template <typename T, typename WriteItem>
std::string BoundedListAnswer(const char* key, const std::vector<T>& all, size_t limit, size_t budget,
                              WriteItem write_item) {
  BoundedItems items(budget - kEnvelopeBytes);
  for (size_t i = 0; i < all.size() && i < limit; ++i) {
    text::JsonWriter one;
    write_item(all[i], one);
    items.Add(one.str());
  }
  text::JsonWriter w;
  w.BeginObject();
  items.Write(key, w);
  w.FieldUint("total_count", all.size());
  w.FieldBool("truncated", items.count() < all.size());
  w.EndObject();
  return w.Take();
}

// The time window (start, end) of a search's arguments and the cap on how
// many matches are counted, appended to `qs`.
Status AppendWindowAndCap(std::string& qs, const Args& args) {
  CALLPATH_RETURN_IF_ERROR(AppendTimeParam(qs, args, "start"));
  CALLPATH_RETURN_IF_ERROR(AppendTimeParam(qs, args, "end"));
  AppendParam(qs, "limit", std::to_string(kCountCap));
  return Status::Ok();
}

Result<std::string> SearchTraces(store::Store& store, const Args& args, size_t budget, uint64_t now_ns) {
  auto limit = Limit(args, 10);
  if (!limit.ok()) return limit.status();
  std::string qs;
  for (std::string_view name : {"service", "operation", "min_duration", "max_duration", "min_trace_duration",
                                "max_trace_duration", "lookback"}) {
    if (std::string v = Arg(args, name); !v.empty()) AppendParam(qs, name, v);
  }
  if (Arg(args, "errors_only") == "true") AppendParam(qs, "errors", "true");
  if (std::string v = Arg(args, "log_text"); !v.empty()) AppendParam(qs, "log_text", v);
  if (std::string v = Arg(args, "log_min_severity"); !v.empty()) AppendParam(qs, "log_level", v);
  CALLPATH_RETURN_IF_ERROR(AppendWindowAndCap(qs, args));
  query::LogCondition log;
  auto q = query::ParseNativeSearchParams(qs, now_ns, &log);
  if (!q.ok()) return AsArgumentError(q.status());
  auto found = query::FindTracesWithLogs(store.span_reader(), store.log_reader(), q.value(), log);
  if (!found.ok()) return found.status();
  return BoundedListAnswer("traces", found.value(), *limit, budget, WriteTraceSummary);
}

void WriteLog(const store::StoredLog& l, text::JsonWriter& w) {
  w.BeginObject();
  w.Field("time", query::detail::Rfc3339Nanos(l.effective_time_ns()));
  w.Field("severity",
          l.severity_text.empty() ? query::detail::SeverityName(l.severity_number) : mcp::Clip(l.severity_text, 64));
  w.FieldInt("severity_number", l.severity_number);
  w.Field("service", mcp::Clip(l.service));
  w.Field("body", mcp::Clip(l.body.AsText()));
  w.Field("trace_id", l.trace_id.IsValid() ? l.trace_id.ToHex() : "");
  w.Field("span_id", l.span_id.IsValid() ? l.span_id.ToHex() : "");
  w.EndObject();
}

Result<std::string> SearchLogs(store::Store& store, const Args& args, size_t budget, uint64_t now_ns) {
  auto limit = Limit(args, 20);
  if (!limit.ok()) return limit.status();
  std::string qs;
  for (auto [arg, param] : {std::pair{"trace_id", "trace_id"}, std::pair{"service", "service"},
                            std::pair{"min_severity", "level"}, std::pair{"text", "q"},
                            std::pair{"lookback", "lookback"}}) {
    if (std::string v = Arg(args, arg); !v.empty()) AppendParam(qs, param, v);
  }
  CALLPATH_RETURN_IF_ERROR(AppendWindowAndCap(qs, args));
  auto q = query::ParseLogSearchParams(qs, now_ns);
  if (!q.ok()) return AsArgumentError(q.status());
  auto logs = store.log_reader().SearchLogs(q.value());
  if (!logs.ok()) return logs.status();
  return BoundedListAnswer("logs", logs.value(), *limit, budget, WriteLog);
}

// The CallToolResult: structuredContent and the same JSON as text. The
// text copy is dropped (replaced by a note) in the rare case that escaping
// it would take the result past the budget.
std::string ToolResult(const std::string& structured, size_t budget) {
  text::JsonWriter w;
  w.BeginObject();
  w.Key("content");
  w.BeginArray();
  w.BeginObject();
  w.Field("type", "text");
  w.Field("text", structured);
  w.EndObject();
  w.EndArray();
  w.Key("structuredContent");
  w.RawValue(structured);
  w.FieldBool("isError", false);
  w.EndObject();
  if (w.str().size() <= budget) return w.Take();
  text::JsonWriter small;
  small.BeginObject();
  small.Key("content");
  small.RawValue(R"([{"type":"text","text":"The result is in structuredContent (too large to copy here)."}])");
  small.Key("structuredContent");
  small.RawValue(structured);
  small.FieldBool("isError", false);
  small.EndObject();
  return small.Take();
}

std::string ErrorResult(std::string_view message) {
  text::JsonWriter w;
  w.BeginObject();
  w.Key("content");
  w.BeginArray();
  w.BeginObject();
  w.Field("type", "text");
  w.Field("text", mcp::Clip(message));
  w.EndObject();
  w.EndArray();
  w.FieldBool("isError", true);
  w.EndObject();
  return w.Take();
}

}  // namespace

namespace mcp {

// What the native query parsers say of a parameter, said of the tool's argument.
Status AsArgumentError(const Status& s) {
  std::string m = s.message();
  for (auto [from, to] : {std::pair{"parameter level", "argument min_severity"},
                          std::pair{"parameter log_level", "argument log_min_severity"},
                          std::pair{"parameter q", "argument text"}, std::pair{"parameter ", "argument "}}) {
    if (m.starts_with(from)) {
      m = to + m.substr(std::string_view(from).size());
      break;
    }
  }
  return InvalidArgument(m + "; fix the argument and call again");
}

void AppendParam(std::string& qs, std::string_view key, std::string_view value) {
  if (!qs.empty()) qs += '&';
  qs += key;
  qs += '=';
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      qs += static_cast<char>(c);
    } else {
      qs += '%';
      qs += "0123456789ABCDEF"[c >> 4];
      qs += "0123456789ABCDEF"[c & 15];
    }
  }
}

// start/end as the native API takes them: Unix ns or a duration ago; an
// RFC 3339 time is turned into Unix ns first.
Status AppendTimeParam(std::string& qs, const Args& args, std::string_view name) {
  std::string v = Arg(args, name);
  if (v.empty()) return Status::Ok();
  if (v.find('T') != std::string::npos) {
    auto ns = query::ParseRfc3339(v);
    if (!ns.ok()) {
      return InvalidArgument("argument " + std::string(name) + ": " + ns.status().message() +
                             "; want RFC 3339 (2026-05-01T14:02:00Z), Unix nanoseconds or a duration ago (\"15m\")");
    }
    v = std::to_string(*ns);
  }
  AppendParam(qs, name, v);
  return Status::Ok();
}

std::string Clip(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

}  // namespace mcp

McpTools::McpTools(store::Store& store, size_t budget_bytes, query::AssembleOptions assemble)
    : store_(store), budget_(std::max<size_t>(budget_bytes, 16 * 1024)), assemble_(assemble) {}

ToolCallOutcome McpTools::Call(std::string_view name, const std::optional<simdjson::dom::object>& arguments,
                               uint64_t now_ns) const {
  ToolCallOutcome out;
  auto tools = mcp::ToolCatalog();
  auto tool = std::find_if(tools.begin(), tools.end(), [&](const mcp::ToolSpec& t) { return t.name == name; });
  if (tool == tools.end()) {
    out.invalid_params = true;
    out.message = "unknown tool '" + std::string(name) + "': tools/list names the tools";
    return out;
  }
  Args args;
  out.message = CheckArgs(*tool, arguments, &args);
  if (!out.message.empty()) {
    out.invalid_params = true;
    return out;
  }
  // The structured copy gets under half the budget: the text copy repeats
  // it with its quotes escaped.
  size_t structured_budget = (budget_ - 1024) * 4 / 9;
  Result<std::string> content = InvalidArgument("no such tool");
  if (name == "list_services") content = ListServices(store_, args, structured_budget);
  else if (name == "list_operations") content = ListOperations(store_, args, structured_budget);
  else if (name == "search_traces") content = SearchTraces(store_, args, structured_budget, now_ns);
  else if (name == "get_trace") content = mcp::GetTraceContent(store_, args, structured_budget, assemble_);
  else if (name == "get_critical_path") content = mcp::CriticalPathContent(store_, args, structured_budget, assemble_);
  else if (name == "search_logs" || name == "get_trace_logs") content = SearchLogs(store_, args, structured_budget, now_ns);
  else if (name == "get_span_details") content = mcp::SpanDetailsContent(store_, args, structured_budget);
  else if (name == "get_service_dependencies") {
    content = mcp::DependenciesContent(store_, args, structured_budget, now_ns);
  }
  out.result = content.ok() ? ToolResult(content.value(), budget_) : ErrorResult(content.status().message());
  if (out.result.size() > budget_) {
    out.result = ErrorResult("the answer exceeds the result budget of " + std::to_string(budget_) +
                             " bytes; narrow the call (a smaller limit or time range)");
  }
  return out;
}

}  // namespace callpath::daemon
