#include "analyze/render_causes.h"

namespace callpath::analyze {
namespace {

void RenderWindow(std::string_view key, TimeWindow w, text::JsonWriter& json) {
  json.Key(key);
  json.BeginObject();
  json.FieldUint("start_ns", w.start_ns);
  json.FieldUint("end_ns", w.end_ns);
  json.EndObject();
}

}  // namespace

void RenderEvidence(const Evidence& e, text::JsonWriter& json) {
  json.BeginObject();
  json.Field("type", e.type);
  json.Field("text", e.text);
  if (e.span_id) json.Field("span_id", e.span_id->ToHex());
  if (e.time_ns) json.FieldUint("time_ns", *e.time_ns);
  if (e.severity_number) json.FieldInt("severity_number", *e.severity_number);
  if (e.observed) {
    json.Key("observed");
    json.Double(*e.observed);
  }
  if (e.expected) {
    json.Key("expected");
    json.Double(*e.expected);
  }
  json.EndObject();
}

void RenderCause(const Cause& c, text::JsonWriter& json) {
  json.BeginObject();
  json.FieldInt("rank", c.rank);
  json.Field("service", c.service);
  json.Key("operation");
  if (c.operation) {
    json.String(*c.operation);
  } else {
    json.Null();
  }
  json.Key("span_id");
  if (c.span_id) {
    json.String(c.span_id->ToHex());
  } else {
    json.Null();
  }
  json.Field("kind", CauseKindName(c.kind));
  json.Key("score");
  // Two decimals, as explain writes them: scores rank, they do not measure.
  json.Double(static_cast<double>(static_cast<int64_t>(c.score * 100 + 0.5)) / 100);
  json.Field("summary", c.summary);
  json.Key("evidence");
  json.BeginArray();
  for (const auto& e : c.evidence) RenderEvidence(e, json);
  json.EndArray();
  json.Key("example_traces");
  json.BeginArray();
  for (const auto& t : c.example_traces) json.String(t.ToHex());
  json.EndArray();
  json.EndObject();
}

void RenderCauses(const std::vector<Cause>& causes, text::JsonWriter& json) {
  json.BeginArray();
  for (const auto& c : causes) RenderCause(c, json);
  json.EndArray();
}

std::string RenderDiagnosis(const Diagnosis& d) {
  text::JsonWriter json;
  json.BeginObject();
  RenderWindow("window", d.window, json);
  RenderWindow("baseline", d.baseline, json);
  json.Field("summary", d.summary);
  json.Key("causes");
  RenderCauses(d.causes, json);
  json.Key("symptoms");
  json.BeginArray();
  for (const auto& e : d.symptoms) RenderEvidence(e, json);
  json.EndArray();
  json.FieldUint("window_spans", d.window_spans);
  json.FieldUint("window_logs", d.window_logs);
  json.EndObject();
  return json.Take();
}

}  // namespace callpath::analyze
