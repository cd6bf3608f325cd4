// Reads the native API documents with simdjson's DOM (error codes only, no
// exceptions). Unknown members are ignored; wrong types read as absent.
#include <simdjson.h>

#include <charconv>

#include "cli/api_model.h"
#include "cli/json_members.h"

namespace callpath::cli {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

using json::Bool;
using json::Int;
using json::Str;
using json::Uint;

// A JSON value as display text: strings as-is, the rest as compact JSON.
std::string ValueText(const element& e) {
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view v;
      if (e.get_string().get(v)) return {};
      return std::string(v);
    }
    case element_type::BOOL: {
      bool b = false;
      if (e.get_bool().get(b)) return {};
      return b ? "true" : "false";
    }
    case element_type::INT64: {
      int64_t i = 0;
      if (e.get_int64().get(i)) return {};
      return std::to_string(i);
    }
    case element_type::UINT64: {
      uint64_t u = 0;
      if (e.get_uint64().get(u)) return {};
      return std::to_string(u);
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (e.get_double().get(d)) return {};
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      return std::string(buf, r.ptr);
    }
    case element_type::NULL_VALUE:
      return "null";
    default:
      return simdjson::minify(e);
  }
}

std::vector<Field> Fields(const object& o, std::string_view key) {
  std::vector<Field> out;
  object attrs;
  if (o.at_key(key).get_object().get(attrs)) return out;
  for (auto kv : attrs) out.push_back({std::string(kv.key), ValueText(kv.value)});
  return out;
}

std::vector<std::string> Strings(const object& o, std::string_view key) {
  std::vector<std::string> out;
  array a;
  if (o.at_key(key).get_array().get(a)) return out;
  for (element e : a) {
    std::string_view s;
    if (!e.get_string().get(s)) out.emplace_back(s);
  }
  return out;
}

// Parses `json` and returns its top-level object, or why not.
Status Root(simdjson::dom::parser& parser, std::string_view json, object* out) {
  element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc)) {
    return InvalidArgument(std::string("response is not valid JSON: ") + simdjson::error_message(err));
  }
  if (doc.get_object().get(*out)) return InvalidArgument("response is not a JSON object");
  return Status::Ok();
}

Status ArrayMember(const object& o, std::string_view key, array* out) {
  if (o.at_key(key).get_array().get(*out)) {
    return InvalidArgument("response has no \"" + std::string(key) + "\" array");
  }
  return Status::Ok();
}

std::string ExceptionText(const object& span) {
  array events;
  if (span.at_key("events").get_array().get(events)) return {};
  for (element ev : events) {
    object e;
    if (ev.get_object().get(e) || Str(e, "name") != "exception") continue;
    object attrs;
    if (e.at_key("attributes").get_object().get(attrs)) continue;
    std::string type = Str(attrs, "exception.type");
    std::string message = Str(attrs, "exception.message");
    if (type.empty()) return message;
    if (message.empty()) return type;
    return type + ": " + message;
  }
  return {};
}

LogView ReadLog(const object& o) {
  LogView l;
  l.time_ns = Uint(o, "time_ns");
  l.level = Str(o, "level");
  l.severity_number = Int(o, "severity_number");
  l.msg = Str(o, "msg");
  l.service = Str(o, "service_name");
  l.trace_id = Str(o, "trace_id");
  l.span_id = Str(o, "span_id");
  l.fields = Fields(o, "attributes");
  return l;
}

std::vector<CauseView> Causes(const object& rc, std::string_view key) {
  std::vector<CauseView> out;
  array a;
  if (rc.at_key(key).get_array().get(a)) return out;
  for (element e : a) {
    object c;
    if (e.get_object().get(c)) continue;
    out.push_back({Str(c, "span_id"), Str(c, "service"), Str(c, "operation"), Str(c, "reason")});
  }
  return out;
}

}  // namespace

Result<TraceView> ParseTrace(std::string_view json) {
  simdjson::dom::parser parser;
  object root;
  CALLPATH_RETURN_IF_ERROR(Root(parser, json, &root));
  array spans;
  CALLPATH_RETURN_IF_ERROR(ArrayMember(root, "spans", &spans));
  TraceView t;
  t.trace_id = Str(root, "trace_id");
  t.start_ns = Uint(root, "start_ns");
  t.duration_ns = Uint(root, "duration_ns");
  t.span_count = Uint(root, "span_count");
  t.error_count = Uint(root, "error_count");
  t.root_service = Str(root, "root_service");
  t.root_operation = Str(root, "root_operation");
  t.services = Strings(root, "services");
  for (element e : spans) {
    object o;
    if (e.get_object().get(o)) continue;
    SpanView s;
    s.span_id = Str(o, "span_id");
    s.parent_span_id = Str(o, "parent_span_id");
    s.service = Str(o, "service");
    s.operation = Str(o, "operation");
    s.kind = Str(o, "kind");
    s.start_ns = Uint(o, "start_ns");
    s.duration_ns = Uint(o, "duration_ns");
    s.self_ns = Uint(o, "self_ns");
    s.depth = Uint(o, "depth");
    s.critical = Bool(o, "critical");
    object status;
    if (!o.at_key("status").get_object().get(status)) {
      s.error = Str(status, "code") == "error";
      s.status_message = Str(status, "message");
    }
    s.exception = ExceptionText(o);
    s.warnings = Strings(o, "warnings");
    s.attributes = Fields(o, "attributes");
    t.spans.push_back(std::move(s));
  }
  array logs;
  if (!root.at_key("logs").get_array().get(logs)) {
    for (element e : logs) {
      object o;
      if (!e.get_object().get(o)) t.logs.push_back(ReadLog(o));
    }
  }
  object rc;
  if (!root.at_key("root_causes").get_object().get(rc)) {
    t.has_root_causes = true;
    t.error_causes = Causes(rc, "errors");
    t.slow_causes = Causes(rc, "slow");
  }
  array adj;
  if (!root.at_key("adjustments").get_array().get(adj)) {
    for (element e : adj) {
      object o;
      if (!e.get_object().get(o)) t.adjustments.push_back({Str(o, "span_id"), Int(o, "delta_ns")});
    }
  }
  return t;
}

Result<std::vector<TraceSummaryView>> ParseSearch(std::string_view json) {
  simdjson::dom::parser parser;
  object root;
  CALLPATH_RETURN_IF_ERROR(Root(parser, json, &root));
  array traces;
  CALLPATH_RETURN_IF_ERROR(ArrayMember(root, "traces", &traces));
  std::vector<TraceSummaryView> out;
  for (element e : traces) {
    object o;
    if (e.get_object().get(o)) continue;
    TraceSummaryView s;
    s.trace_id = Str(o, "trace_id");
    s.root_service = Str(o, "root_service");
    s.root_operation = Str(o, "root_operation");
    bool has_root = true;
    if (!o.at_key("has_root").get_bool().get(has_root)) s.has_root = has_root;
    s.start_ns = Uint(o, "start_ns");
    s.duration_ns = Uint(o, "duration_ns");
    s.span_count = Uint(o, "span_count");
    s.error_count = Uint(o, "error_count");
    s.services = Strings(o, "services");
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::string>> ParseServices(std::string_view json) {
  simdjson::dom::parser parser;
  object root;
  CALLPATH_RETURN_IF_ERROR(Root(parser, json, &root));
  array a;
  CALLPATH_RETURN_IF_ERROR(ArrayMember(root, "services", &a));
  return Strings(root, "services");
}

Result<std::vector<OperationView>> ParseOperations(std::string_view json) {
  simdjson::dom::parser parser;
  object root;
  CALLPATH_RETURN_IF_ERROR(Root(parser, json, &root));
  array ops;
  CALLPATH_RETURN_IF_ERROR(ArrayMember(root, "operations", &ops));
  std::vector<OperationView> out;
  for (element e : ops) {
    object o;
    if (!e.get_object().get(o)) out.push_back({Str(o, "name"), Str(o, "kind")});
  }
  return out;
}

Result<std::vector<LogView>> ParseLogs(std::string_view json) {
  simdjson::dom::parser parser;
  object root;
  CALLPATH_RETURN_IF_ERROR(Root(parser, json, &root));
  array logs;
  CALLPATH_RETURN_IF_ERROR(ArrayMember(root, "logs", &logs));
  std::vector<LogView> out;
  for (element e : logs) {
    object o;
    if (!e.get_object().get(o)) out.push_back(ReadLog(o));
  }
  return out;
}

std::string ParseErrorMessage(std::string_view json) {
  simdjson::dom::parser parser;
  object root;
  if (!Root(parser, json, &root).ok()) return {};
  return Str(root, "error");
}

}  // namespace callpath::cli
