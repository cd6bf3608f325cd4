// Reads the explain document with simdjson's DOM (error codes only).
#include <simdjson.h>

#include "cli/explain_view.h"
#include "cli/json_members.h"

namespace callpath::cli {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

using json::Str;
using json::Uint;

CauseEntryView ReadCause(const object& c) {
  CauseEntryView v;
  if (c.at_key("rank").get_int64().get(v.rank)) v.rank = 0;
  v.service = Str(c, "service");
  element op;
  v.has_operation = !c.at_key("operation").get(op) && op.is_string();
  v.operation = Str(c, "operation");
  v.span_id = Str(c, "span_id");
  v.kind = Str(c, "kind");
  if (c.at_key("score").get_double().get(v.score)) {
    int64_t whole = 0;  // 0 and 1 arrive as integers
    v.score = c.at_key("score").get_int64().get(whole) ? 0.0 : static_cast<double>(whole);
  }
  v.summary = Str(c, "summary");
  array evidence;
  if (!c.at_key("evidence").get_array().get(evidence)) {
    for (element e : evidence) {
      object o;
      if (e.get_object().get(o)) continue;
      v.evidence.push_back({Str(o, "type"), Str(o, "text")});
    }
  }
  return v;
}

}  // namespace

Result<ExplainView> ParseExplain(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc)) {
    return InvalidArgument(std::string("response is not valid JSON: ") + simdjson::error_message(err));
  }
  object root;
  if (doc.get_object().get(root)) return InvalidArgument("response is not a JSON object");
  ExplainView v;
  v.status = Str(root, "status");
  array causes;
  if (v.status.empty() || root.at_key("causes").get_array().get(causes)) {
    return InvalidArgument("response is not an explain document (no \"status\" and \"causes\")");
  }
  v.trace_id = Str(root, "trace_id");
  v.summary = Str(root, "summary");
  for (element e : causes) {
    object c;
    if (!e.get_object().get(c)) v.causes.push_back(ReadCause(c));
  }
  object baseline;
  if (!root.at_key("baseline").get_object().get(baseline)) {
    v.baseline_start_ns = Uint(baseline, "start_ns");
    v.baseline_end_ns = Uint(baseline, "end_ns");
    v.reference_traces = Uint(baseline, "reference_traces");
  }
  return v;
}

}  // namespace callpath::cli
