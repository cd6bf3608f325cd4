// The native JSON API's documents.
#include <algorithm>
#include <set>

#include "query/render.h"
#include "query/render_util.h"

namespace callpath::query {

using detail::WriteAttributesObject;

namespace {

void WriteSpanRef(JsonWriter& w, const AssembledTrace& t, size_t i, std::string_view extra_key,
                  double score, std::string_view reason) {
  w.BeginObject();
  w.Field("span_id", t.spans[i].span_id.ToHex());
  w.Field("service", t.spans[i].service);
  w.Field("operation", t.spans[i].operation);
  if (!extra_key.empty()) {
    w.Key(extra_key);
    w.Double(score);
  }
  w.Field("reason", reason);
  w.EndObject();
}

}  // namespace

void detail::WriteSpan(JsonWriter& w, const AssembledTrace& t, size_t i, uint64_t self_ns, bool critical) {
  const auto& s = t.spans[i];
  w.BeginObject();
  w.Field("span_id", s.span_id.ToHex());
  if (s.parent_span_id.IsValid()) w.Field("parent_span_id", s.parent_span_id.ToHex());
  w.Field("service", s.service);
  w.Field("operation", s.operation);
  w.Field("kind", store::SpanKindName(s.kind));
  w.FieldUint("start_ns", s.start_ns);
  w.FieldUint("duration_ns", s.duration_ns);
  w.FieldUint("self_ns", self_ns);
  w.FieldUint("depth", t.depth[i]);
  w.FieldBool("critical", critical);
  w.Key("status");
  w.BeginObject();
  w.Field("code", s.status == store::SpanStatus::kError ? "error"
                  : s.status == store::SpanStatus::kOk  ? "ok"
                                                        : "unset");
  if (!s.status_message.empty()) w.Field("message", s.status_message);
  w.EndObject();
  w.FieldUint("flags", s.flags);
  if (!s.trace_state.empty()) w.Field("trace_state", s.trace_state);
  w.Key("attributes");
  WriteAttributesObject(w, s.attributes);
  w.Key("events");
  w.BeginArray();
  for (const auto& e : s.events) {
    w.BeginObject();
    w.FieldUint("time_ns", e.time_ns);
    w.Field("name", e.name);
    w.Key("attributes");
    WriteAttributesObject(w, e.attributes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("links");
  w.BeginArray();
  for (const auto& l : s.links) {
    w.BeginObject();
    w.Field("trace_id", l.trace_id.ToHex());
    w.Field("span_id", l.span_id.ToHex());
    w.Key("attributes");
    WriteAttributesObject(w, l.attributes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("resource");
  WriteAttributesObject(w, s.resource_attributes);
  w.Key("scope");
  w.BeginObject();
  w.Field("name", s.scope_name);
  w.Field("version", s.scope_version);
  w.EndObject();
  if (!t.warnings[i].empty()) {
    w.Key("warnings");
    w.BeginArray();
    for (const auto& m : t.warnings[i]) w.String(m);
    w.EndArray();
  }
  w.EndObject();
}

std::string RenderTrace(const AssembledTrace& t, const std::vector<store::StoredLog>& logs) {
  JsonWriter w;
  auto self = SelfTimes(t);
  auto path = CriticalPath(t);
  std::vector<bool> critical(t.spans.size(), false);
  for (const auto& seg : path) critical[seg.span] = true;
  std::set<std::string> services;
  size_t errors = 0;
  for (const auto& s : t.spans) {
    services.insert(s.service);
    errors += s.is_error();
  }

  w.BeginObject();
  w.Field("trace_id", t.trace_id.ToHex());
  w.FieldUint("start_ns", t.start_ns());
  w.FieldUint("duration_ns", t.spans.empty() ? 0 : t.end_ns() - t.start_ns());
  w.FieldUint("span_count", t.spans.size());
  w.FieldUint("error_count", errors);
  if (t.root >= 0) {
    w.Field("root_service", t.spans[t.root].service);
    w.Field("root_operation", t.spans[t.root].operation);
  }
  w.Key("services");
  w.BeginArray();
  for (const auto& s : services) w.String(s);
  w.EndArray();
  w.Key("spans");
  w.BeginArray();
  for (size_t i = 0; i < t.spans.size(); ++i) detail::WriteSpan(w, t, i, self[i], critical[i]);
  w.EndArray();

  w.Key("critical_path");
  w.BeginArray();
  for (const auto& seg : path) {
    w.BeginObject();
    w.Field("span_id", t.spans[seg.span].span_id.ToHex());
    w.FieldUint("start_ns", seg.start_ns);
    w.FieldUint("end_ns", seg.end_ns);
    w.EndObject();
  }
  w.EndArray();

  auto causes = RankRootCauses(t);
  w.Key("root_causes");
  w.BeginObject();
  w.Key("errors");
  w.BeginArray();
  for (const auto& c : causes.errors) WriteSpanRef(w, t, c.span, "score", c.score, c.reason);
  w.EndArray();
  w.Key("slow");
  w.BeginArray();
  for (const auto& c : causes.slow) WriteSpanRef(w, t, c.span, "score", c.score, c.reason);
  w.EndArray();
  w.EndObject();

  w.Key("adjustments");
  w.BeginArray();
  for (const auto& a : t.adjustments) {
    w.BeginObject();
    w.Field("span_id", t.spans[a.span].span_id.ToHex());
    w.FieldInt("delta_ns", a.delta_ns);
    w.Field("reason", a.reason);
    w.EndObject();
  }
  w.EndArray();

  w.Key("logs");
  w.BeginArray();
  for (const auto& l : logs) detail::WriteLog(w, l);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string RenderSearch(const std::vector<store::TraceSummary>& traces) {
  JsonWriter w;
  w.BeginObject();
  w.Key("traces");
  w.BeginArray();
  for (const auto& s : traces) {
    w.BeginObject();
    w.Field("trace_id", s.trace_id.ToHex());
    w.Field("root_service", s.root_service);
    w.Field("root_operation", s.root_operation);
    w.FieldBool("has_root", s.has_root);
    w.FieldUint("start_ns", s.start_ns);
    w.FieldUint("duration_ns", s.duration_ns);
    w.FieldUint("span_count", s.span_count);
    w.FieldUint("error_count", s.error_count);
    w.Key("services");
    w.BeginArray();
    for (const auto& svc : s.services) w.String(svc);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.FieldUint("count", traces.size());
  w.EndObject();
  return w.Take();
}

std::string RenderServices(const std::vector<std::string>& services) {
  JsonWriter w;
  w.BeginObject();
  w.Key("services");
  w.BeginArray();
  for (const auto& s : services) w.String(s);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string RenderOperations(const std::vector<store::Operation>& ops) {
  JsonWriter w;
  w.BeginObject();
  w.Key("operations");
  w.BeginArray();
  for (const auto& o : ops) {
    w.BeginObject();
    w.Field("name", o.name);
    w.Field("kind", store::SpanKindName(o.kind));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string RenderLogs(const std::vector<store::StoredLog>& logs) {
  JsonWriter w;
  w.BeginObject();
  w.Key("logs");
  w.BeginArray();
  for (const auto& l : logs) detail::WriteLog(w, l);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string RenderDependencies(const std::vector<store::DependencyLink>& links) {
  JsonWriter w;
  w.BeginObject();
  w.Key("dependencies");
  w.BeginArray();
  for (const auto& l : links) {
    w.BeginObject();
    w.Field("parent", l.parent);
    w.Field("child", l.child);
    w.FieldUint("call_count", l.call_count);
    w.FieldUint("error_count", l.error_count);
    w.FieldUint("p99_ns", l.p99_duration_ns);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::query
