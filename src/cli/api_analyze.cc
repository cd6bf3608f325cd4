// Reads the diagnose and compare documents with simdjson's DOM (error codes
// only, no exceptions). Unknown members are ignored; wrong types read as
// absent.
#include "cli/api_analyze.h"

#include <simdjson.h>

#include "cli/json_members.h"

namespace callpath::cli {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

using json::Num;
using json::Str;
using json::Uint;

std::vector<EvidenceView> EvidenceList(const object& o, std::string_view key) {
  std::vector<EvidenceView> out;
  array items;
  if (o.at_key(key).get_array().get(items)) return out;
  for (element e : items) {
    object eo;
    if (e.get_object().get(eo)) continue;
    out.push_back({Str(eo, "type"), Str(eo, "text")});
  }
  return out;
}

RankedCauseView CauseOf(const object& o) {
  RankedCauseView c;
  int64_t rank;
  if (!o.at_key("rank").get_int64().get(rank)) c.rank = rank;
  c.service = Str(o, "service");
  c.operation = Str(o, "operation");
  c.span_id = Str(o, "span_id");
  c.kind = Str(o, "kind");
  c.score = Num(o, "score");
  c.summary = Str(o, "summary");
  c.evidence = EvidenceList(o, "evidence");
  array traces;
  if (!o.at_key("example_traces").get_array().get(traces)) {
    for (element t : traces) {
      std::string_view id;
      if (!t.get_string().get(id)) c.example_traces.emplace_back(id);
    }
  }
  return c;
}

std::vector<RankedCauseView> Causes(const array& items) {
  std::vector<RankedCauseView> out;
  for (element e : items) {
    object o;
    if (!e.get_object().get(o)) out.push_back(CauseOf(o));
  }
  return out;
}

void Side(const object& span, std::string_view key, bool* present, uint64_t* duration, uint64_t* self,
          std::string* status) {
  object o;
  if (span.at_key(key).get_object().get(o)) return;
  *present = true;
  *duration = Uint(o, "duration_ns");
  *self = Uint(o, "self_ns");
  *status = Str(o, "status");
}

}  // namespace

Result<std::vector<RankedCauseView>> ParseRankedCauses(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  array items;
  if (parser.parse(json.data(), json.size()).get(doc) || doc.get_array().get(items)) {
    return InvalidArgument("the causes are not a JSON array");
  }
  return Causes(items);
}

Result<DiagnosisView> ParseDiagnosis(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  object o;
  if (parser.parse(json.data(), json.size()).get(doc) || doc.get_object().get(o)) {
    return InvalidArgument("the diagnosis is not a JSON object");
  }
  DiagnosisView d;
  object w;
  if (!o.at_key("window").get_object().get(w)) d.start_ns = Uint(w, "start_ns"), d.end_ns = Uint(w, "end_ns");
  if (!o.at_key("baseline").get_object().get(w)) {
    d.baseline_start_ns = Uint(w, "start_ns");
    d.baseline_end_ns = Uint(w, "end_ns");
  }
  d.summary = Str(o, "summary");
  array causes;
  if (o.at_key("causes").get_array().get(causes)) return InvalidArgument("the diagnosis has no \"causes\" array");
  d.causes = Causes(causes);
  d.symptoms = EvidenceList(o, "symptoms");
  return d;
}

Result<ComparisonView> ParseComparison(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  object o;
  if (parser.parse(json.data(), json.size()).get(doc) || doc.get_object().get(o)) {
    return InvalidArgument("the comparison is not a JSON object");
  }
  ComparisonView c;
  object side;
  if (o.at_key("a").get_object().get(side) == simdjson::SUCCESS) {
    c.a_trace_id = Str(side, "trace_id");
    c.a_duration_ns = Uint(side, "duration_ns");
  }
  if (o.at_key("b").get_object().get(side) == simdjson::SUCCESS) {
    c.b_trace_id = Str(side, "trace_id");
    c.b_duration_ns = Uint(side, "duration_ns");
  }
  c.matched = Uint(o, "matched");
  c.summary = Str(o, "summary");
  array spans;
  if (o.at_key("spans").get_array().get(spans)) return InvalidArgument("the comparison has no \"spans\" array");
  for (element e : spans) {
    object so;
    if (e.get_object().get(so)) continue;
    ComparedSpanView s;
    s.change = Str(so, "change");
    s.path = Str(so, "path");
    s.service = Str(so, "service");
    s.operation = Str(so, "operation");
    Side(so, "a", &s.in_a, &s.a_duration_ns, &s.a_self_ns, &s.a_status);
    Side(so, "b", &s.in_b, &s.b_duration_ns, &s.b_self_ns, &s.b_status);
    c.spans.push_back(std::move(s));
  }
  array templates;
  if (!o.at_key("log_templates").get_array().get(templates)) {
    for (element e : templates) {
      object to;
      if (e.get_object().get(to)) continue;
      int64_t sev = 0;
      if (to.at_key("severity_number").get_int64().get(sev)) sev = 0;
      c.templates.push_back({Str(to, "only_in"), Str(to, "service"), Str(to, "template"), sev, Uint(to, "count")});
    }
  }
  return c;
}

}  // namespace callpath::cli
