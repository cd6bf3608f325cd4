// RenderExplainJson: the explain report as the API answers it.
#include "analyze/explain.h"
#include "text/json_writer.h"

namespace callpath::analyze {

namespace {

void WriteEvidence(text::JsonWriter& w, const Evidence& e) {
  w.BeginObject();
  w.Field("type", e.type);
  w.Field("text", e.text);
  if (e.span_id) w.Field("span_id", e.span_id->ToHex());
  if (e.time_ns) w.FieldUint("time_ns", *e.time_ns);
  if (e.severity_number) w.FieldInt("severity_number", *e.severity_number);
  if (e.observed) {
    w.Key("observed");
    w.Double(*e.observed);
  }
  if (e.expected) {
    w.Key("expected");
    w.Double(*e.expected);
  }
  w.EndObject();
}

void WriteCause(text::JsonWriter& w, const Cause& c) {
  w.BeginObject();
  w.FieldInt("rank", c.rank);
  w.Field("service", c.service);
  w.Key("operation");
  c.operation ? w.String(*c.operation) : w.Null();
  w.Key("span_id");
  c.span_id ? w.String(c.span_id->ToHex()) : w.Null();
  w.Field("kind", CauseKindName(c.kind));
  w.Key("score");
  // Two decimals: scores are comparable within one answer, not precise.
  w.Double(static_cast<double>(static_cast<int64_t>(c.score * 100 + 0.5)) / 100);
  w.Field("summary", c.summary);
  w.Key("evidence");
  w.BeginArray();
  for (const auto& e : c.evidence) WriteEvidence(w, e);
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string RenderExplainJson(const ExplainReport& r) {
  text::JsonWriter w;
  w.BeginObject();
  w.Field("trace_id", r.trace_id.ToHex());
  w.Field("status", TraceVerdictName(r.status));
  w.Field("summary", r.summary);
  w.Key("causes");
  w.BeginArray();
  for (const auto& c : r.causes) WriteCause(w, c);
  w.EndArray();
  w.Key("baseline");
  w.BeginObject();
  w.FieldUint("start_ns", r.baseline_start_ns);
  w.FieldUint("end_ns", r.baseline_end_ns);
  w.FieldUint("reference_traces", r.reference_traces);
  w.EndObject();
  w.Key("adjustments");
  w.BeginArray();
  for (const auto& a : r.adjustments) {
    w.BeginObject();
    w.Field("span_id", a.span_id.ToHex());
    w.Field("service", a.service);
    w.Field("operation", a.operation);
    w.FieldInt("delta_ns", a.delta_ns);
    w.Field("reason", a.reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::analyze
