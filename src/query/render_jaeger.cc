// Jaeger's classic JSON (what Jaeger UI and Grafana's Jaeger data source
// read) and the api_v3 OTLP/JSON shape.
#include <map>

#include "query/render.h"
#include "query/render_util.h"
#include "text/base64.h"

namespace callpath::query {

namespace {

using store::Value;

void Tag(JsonWriter& w, std::string_view key, const Value& v) {
  w.BeginObject();
  w.Field("key", key);
  switch (v.type) {
    case Value::Type::kBool: w.Field("type", "bool"); w.Key("value"); w.Bool(v.int_value != 0); break;
    case Value::Type::kInt64: w.Field("type", "int64"); w.Key("value"); w.Int64(v.int_value); break;
    case Value::Type::kDouble: w.Field("type", "float64"); w.Key("value"); w.Double(v.double_value); break;
    case Value::Type::kBytes: w.Field("type", "binary"); w.Field("value", text::Base64Encode(v.text)); break;
    default: w.Field("type", "string"); w.Field("value", v.text); break;
  }
  w.EndObject();
}

void Tags(JsonWriter& w, const store::Attributes& attrs) {
  for (const auto& kv : attrs) Tag(w, kv.key, kv.value);
}

std::string ProcessKey(const store::StoredSpan& s) {
  std::string k = s.service;
  k.push_back('\0');
  for (const auto& kv : s.resource_attributes) {
    k += kv.key;
    k.push_back('=');
    k += kv.value.AsText();
    k.push_back('\0');
  }
  return k;
}

void WriteJaegerTrace(JsonWriter& w, const AssembledTrace& t) {
  std::map<std::string, std::string> process_ids;  // key -> "p1"
  std::vector<size_t> process_span;               // first span of each process
  std::vector<std::string> span_process(t.spans.size());
  for (size_t i = 0; i < t.spans.size(); ++i) {
    auto [it, inserted] = process_ids.emplace(ProcessKey(t.spans[i]), "");
    if (inserted) {
      it->second = "p" + std::to_string(process_span.size() + 1);
      process_span.push_back(i);
    }
    span_process[i] = it->second;
  }
  std::string trace_hex = t.trace_id.ToHex();
  w.BeginObject();
  w.Field("traceID", trace_hex);
  w.Key("spans");
  w.BeginArray();
  for (size_t i = 0; i < t.spans.size(); ++i) {
    const auto& s = t.spans[i];
    w.BeginObject();
    w.Field("traceID", trace_hex);
    w.Field("spanID", s.span_id.ToHex());
    w.FieldUint("flags", s.flags & 0xff);
    w.Field("operationName", s.operation);
    w.Key("references");
    w.BeginArray();
    if (s.parent_span_id.IsValid()) {
      w.BeginObject();
      w.Field("refType", "CHILD_OF");
      w.Field("traceID", trace_hex);
      w.Field("spanID", s.parent_span_id.ToHex());
      w.EndObject();
    }
    for (const auto& l : s.links) {
      w.BeginObject();
      w.Field("refType", "FOLLOWS_FROM");
      w.Field("traceID", l.trace_id.ToHex());
      w.Field("spanID", l.span_id.ToHex());
      w.EndObject();
    }
    w.EndArray();
    w.FieldUint("startTime", s.start_ns / 1000);
    w.FieldUint("duration", s.duration_ns / 1000);
    w.Key("tags");
    w.BeginArray();
    Tags(w, s.attributes);
    if (s.kind != store::SpanKind::kUnspecified && s.kind != store::SpanKind::kInternal) {
      Tag(w, "span.kind", Value::String(std::string(store::SpanKindName(s.kind))));
    }
    if (s.status == store::SpanStatus::kError) {
      Tag(w, "error", Value::Bool(true));
      Tag(w, "otel.status_code", Value::String("ERROR"));
    } else if (s.status == store::SpanStatus::kOk) {
      Tag(w, "otel.status_code", Value::String("OK"));
    }
    if (!s.status_message.empty()) Tag(w, "otel.status_description", Value::String(s.status_message));
    if (!s.scope_name.empty()) Tag(w, "otel.scope.name", Value::String(s.scope_name));
    if (!s.scope_version.empty()) Tag(w, "otel.scope.version", Value::String(s.scope_version));
    if (!s.trace_state.empty()) Tag(w, "w3c.tracestate", Value::String(s.trace_state));
    w.EndArray();
    w.Key("logs");
    w.BeginArray();
    for (const auto& e : s.events) {
      w.BeginObject();
      w.FieldUint("timestamp", e.time_ns / 1000);
      w.Key("fields");
      w.BeginArray();
      Tag(w, "event", Value::String(e.name));
      Tags(w, e.attributes);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.Field("processID", span_process[i]);
    w.Key("warnings");
    if (t.warnings[i].empty()) {
      w.Null();
    } else {
      w.BeginArray();
      for (const auto& m : t.warnings[i]) w.String(m);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("processes");
  w.BeginObject();
  for (size_t p = 0; p < process_span.size(); ++p) {
    const auto& s = t.spans[process_span[p]];
    w.Key("p" + std::to_string(p + 1));
    w.BeginObject();
    w.Field("serviceName", s.service);
    w.Key("tags");
    w.BeginArray();
    for (const auto& kv : s.resource_attributes) {
      if (kv.key != "service.name") Tag(w, kv.key, kv.value);
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.Key("warnings");
  w.Null();
  w.EndObject();
}

void Envelope(JsonWriter& w, size_t total, const std::vector<std::string>& missing_trace_ids = {}) {
  w.FieldUint("total", total);
  w.FieldUint("limit", 0);
  w.FieldUint("offset", 0);
  w.Key("errors");
  if (missing_trace_ids.empty()) {
    w.Null();
  } else {
    w.BeginArray();
    for (const auto& id : missing_trace_ids) {
      w.BeginObject();
      w.Field("msg", "trace not found");
      w.Field("traceID", id);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

std::string RenderJaegerTraces(const std::vector<AssembledTrace>& traces,
                               const std::vector<std::string>& missing_trace_ids) {
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginArray();
  for (const auto& t : traces) WriteJaegerTrace(w, t);
  w.EndArray();
  Envelope(w, traces.size(), missing_trace_ids);
  return w.Take();
}

std::string RenderJaegerServices(const std::vector<std::string>& services) {
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginArray();
  for (const auto& s : services) w.String(s);
  w.EndArray();
  Envelope(w, services.size());
  return w.Take();
}

std::string RenderJaegerOperations(const std::vector<store::Operation>& ops, bool with_kind) {
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginArray();
  std::string last;
  size_t n = 0;
  for (const auto& o : ops) {
    if (with_kind) {
      w.BeginObject();
      w.Field("name", o.name);
      w.Field("spanKind", o.kind == store::SpanKind::kUnspecified ? "" : store::SpanKindName(o.kind));
      w.EndObject();
      ++n;
    } else if (n == 0 || o.name != last) {  // one name per operation, whatever its kinds
      w.String(o.name);
      last = o.name;
      ++n;
    }
  }
  w.EndArray();
  Envelope(w, n);
  return w.Take();
}

std::string RenderJaegerDependencies(const std::vector<store::DependencyLink>& links) {
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginArray();
  for (const auto& l : links) {
    w.BeginObject();
    w.Field("parent", l.parent);
    w.Field("child", l.child);
    w.FieldUint("callCount", l.call_count);
    w.EndObject();
  }
  w.EndArray();
  Envelope(w, links.size());
  return w.Take();
}

std::string RenderJaegerError(int code, std::string_view message) {
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.Null();
  w.FieldUint("total", 0);
  w.FieldUint("limit", 0);
  w.FieldUint("offset", 0);
  w.Key("errors");
  w.BeginArray();
  w.BeginObject();
  w.FieldInt("code", code);
  w.Field("msg", message);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::query
