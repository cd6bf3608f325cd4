// RenderExplainJson: the explain report as the API answers it.
#include "analyze/explain.h"
#include "analyze/render_causes.h"
#include "text/json_writer.h"

namespace callpath::analyze {

std::string RenderExplainJson(const ExplainReport& r) {
  text::JsonWriter w;
  w.BeginObject();
  w.Field("trace_id", r.trace_id.ToHex());
  w.Field("status", TraceVerdictName(r.status));
  w.Field("summary", r.summary);
  w.Key("causes");
  RenderCauses(r.causes, w);
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
