// RenderComparison: the JSON of GET /api/v1/compare (compare.h).
#include "analyze/compare.h"
#include "text/json_writer.h"

namespace callpath::analyze {
namespace {

const char* StatusName(store::SpanStatus s) {
  switch (s) {
    case store::SpanStatus::kOk: return "ok";
    case store::SpanStatus::kError: return "error";
    default: return "unset";
  }
}

void RenderTraceHead(std::string_view key, const query::AssembledTrace& t, uint64_t duration_ns,
                     text::JsonWriter& json) {
  json.Key(key);
  json.BeginObject();
  json.Field("trace_id", t.trace_id.ToHex());
  json.FieldUint("duration_ns", duration_ns);
  json.FieldUint("span_count", t.spans.size());
  json.EndObject();
}

void RenderSide(std::string_view key, const query::AssembledTrace& t, int index, uint64_t duration_ns,
                uint64_t self_ns, store::SpanStatus status, text::JsonWriter& json) {
  json.Key(key);
  if (index < 0) {
    json.Null();
    return;
  }
  json.BeginObject();
  json.Field("span_id", t.spans[static_cast<size_t>(index)].span_id.ToHex());
  json.FieldUint("duration_ns", duration_ns);
  json.FieldUint("self_ns", self_ns);
  json.Field("status", StatusName(status));
  json.EndObject();
}

}  // namespace

std::string RenderComparison(const TraceComparison& c, const query::AssembledTrace& a,
                             const query::AssembledTrace& b) {
  text::JsonWriter json;
  json.BeginObject();
  RenderTraceHead("a", a, c.a_duration_ns, json);
  RenderTraceHead("b", b, c.b_duration_ns, json);
  json.FieldUint("matched", c.matched);
  json.Field("summary", c.summary);
  json.Key("spans");
  json.BeginArray();
  for (const auto& d : c.spans) {
    json.BeginObject();
    json.Field("change", SpanChangeName(d.change));
    json.Field("path", d.path);
    json.Field("service", d.service);
    json.Field("operation", d.operation);
    RenderSide("a", a, d.a, d.a_duration_ns, d.a_self_ns, d.a_status, json);
    RenderSide("b", b, d.b, d.b_duration_ns, d.b_self_ns, d.b_status, json);
    json.FieldBool("status_changed", d.status_changed);
    json.EndObject();
  }
  json.EndArray();
  json.Key("log_templates");
  json.BeginArray();
  for (const auto& t : c.templates) {
    json.BeginObject();
    json.Field("only_in", t.in_a ? "a" : "b");
    json.Field("service", t.service);
    json.Field("template", t.text);
    json.Field("template_id", std::to_string(t.template_id));
    json.FieldInt("severity_number", t.severity_number);
    json.FieldUint("count", t.count);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take();
}

}  // namespace callpath::analyze
