// Jaeger api_v3 rendering: traces as OTLP/JSON ResourceSpans, grouped by
// resource then by instrumentation scope (OTLP/JSON: hex ids, 64-bit
// integers as decimal strings, enums as numbers).
#include <map>

#include "query/render.h"
#include "query/render_util.h"
#include "text/base64.h"

namespace callpath::query {

namespace {

using store::Value;

void AnyValue(JsonWriter& w, const Value& v) {
  w.BeginObject();
  switch (v.type) {
    case Value::Type::kBool: w.FieldBool("boolValue", v.int_value != 0); break;
    case Value::Type::kInt64: w.Field("intValue", std::to_string(v.int_value)); break;
    case Value::Type::kDouble: w.Key("doubleValue"); w.Double(v.double_value); break;
    case Value::Type::kBytes: w.Field("bytesValue", text::Base64Encode(v.text)); break;
    default: w.Field("stringValue", v.text); break;
  }
  w.EndObject();
}

void KeyValues(JsonWriter& w, const store::Attributes& attrs) {
  w.Key("attributes");
  w.BeginArray();
  for (const auto& kv : attrs) {
    w.BeginObject();
    w.Field("key", kv.key);
    w.Key("value");
    AnyValue(w, kv.value);
    w.EndObject();
  }
  w.EndArray();
}

void Span(JsonWriter& w, const store::StoredSpan& s) {
  w.BeginObject();
  w.Field("traceId", s.trace_id.ToHex());
  w.Field("spanId", s.span_id.ToHex());
  if (s.parent_span_id.IsValid()) w.Field("parentSpanId", s.parent_span_id.ToHex());
  if (!s.trace_state.empty()) w.Field("traceState", s.trace_state);
  w.FieldUint("flags", s.flags);
  w.Field("name", s.operation);
  w.FieldUint("kind", static_cast<uint64_t>(s.kind));
  w.Field("startTimeUnixNano", std::to_string(s.start_ns));
  w.Field("endTimeUnixNano", std::to_string(s.end_ns()));
  KeyValues(w, s.attributes);
  w.Key("events");
  w.BeginArray();
  for (const auto& e : s.events) {
    w.BeginObject();
    w.Field("timeUnixNano", std::to_string(e.time_ns));
    w.Field("name", e.name);
    KeyValues(w, e.attributes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("links");
  w.BeginArray();
  for (const auto& l : s.links) {
    w.BeginObject();
    w.Field("traceId", l.trace_id.ToHex());
    w.Field("spanId", l.span_id.ToHex());
    if (!l.trace_state.empty()) w.Field("traceState", l.trace_state);
    KeyValues(w, l.attributes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("status");
  w.BeginObject();
  if (s.status != store::SpanStatus::kUnset) w.FieldUint("code", static_cast<uint64_t>(s.status));
  if (!s.status_message.empty()) w.Field("message", s.status_message);
  w.EndObject();
  w.EndObject();
}

}  // namespace

std::string RenderApiV3Traces(const std::vector<AssembledTrace>& traces) {
  // resource (service + attributes) -> scope (name, version) -> spans, in
  // first-seen order so the output is stable.
  struct Scope { std::string name, version; std::vector<const store::StoredSpan*> spans; };
  struct Resource { const store::Attributes* attrs; std::vector<Scope> scopes; };
  std::vector<Resource> resources;
  std::map<std::string, size_t> by_key;
  for (const auto& t : traces) {
    for (const auto& s : t.spans) {
      std::string key = s.service;
      for (const auto& kv : s.resource_attributes) key += '\0' + kv.key + '=' + kv.value.AsText();
      auto [it, inserted] = by_key.emplace(key, resources.size());
      if (inserted) resources.push_back({&s.resource_attributes, {}});
      auto& scopes = resources[it->second].scopes;
      Scope* scope = nullptr;
      for (auto& sc : scopes) {
        if (sc.name == s.scope_name && sc.version == s.scope_version) scope = &sc;
      }
      if (!scope) scope = &scopes.emplace_back(Scope{s.scope_name, s.scope_version, {}});
      scope->spans.push_back(&s);
    }
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("result");
  w.BeginObject();
  w.Key("resourceSpans");
  w.BeginArray();
  for (const auto& r : resources) {
    w.BeginObject();
    w.Key("resource");
    w.BeginObject();
    KeyValues(w, *r.attrs);
    w.EndObject();
    w.Key("scopeSpans");
    w.BeginArray();
    for (const auto& sc : r.scopes) {
      w.BeginObject();
      w.Key("scope");
      w.BeginObject();
      w.Field("name", sc.name);
      if (!sc.version.empty()) w.Field("version", sc.version);
      w.EndObject();
      w.Key("spans");
      w.BeginArray();
      for (const auto* s : sc.spans) Span(w, *s);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return w.Take();
}

std::string RenderApiV3TraceSummaries(const std::vector<store::TraceSummary>& summaries) {
  JsonWriter w;
  w.BeginObject();
  w.Key("summaries");
  w.BeginArray();
  for (const auto& t : summaries) {
    w.BeginObject();
    w.Field("traceId", t.trace_id.ToHex());
    w.Field("rootServiceName", t.root_service);
    w.Field("rootOperationName", t.root_operation);
    w.Field("minStartTimeUnixNano", std::to_string(t.start_ns));
    w.Field("maxEndTimeUnixNano", std::to_string(t.end_ns()));
    w.FieldUint("spanCount", t.span_count);
    w.FieldUint("errorSpanCount", t.error_count);
    w.FieldUint("orphanSpanCount", t.orphan_count);
    w.Key("services");
    w.BeginArray();
    const bool counted = t.service_stats.size() == t.services.size();
    for (size_t i = 0; i < t.services.size(); ++i) {
      w.BeginObject();
      w.Field("name", t.services[i]);
      // Unknown counts are left out, as proto3 JSON leaves out unset fields.
      if (counted) {
        w.FieldUint("spanCount", t.service_stats[i].span_count);
        w.FieldUint("errorSpanCount", t.service_stats[i].error_count);
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::query
