#include "otlp/convert/otlp_proto_decoder.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "otlp/convert/otlp_salvage.h"
#include "otlp/decode/logs_decoder.h"
#include "otlp/decode/trace_decoder.h"
#include "text/base64.h"
#include "text/json_escape.h"
#include "text/utf8.h"

namespace callpath::daemon {
namespace {

using otlp::AnyValueKind;
using otlp::AnyValueView;
using otlp::KeyValueView;
using text::IsValidUtf8;

// Appends an AnyValue as plain JSON (arrays [..], kvlists {..}, bytes as
// base64). The decoder already checked nesting depth and well-formedness.
void AppendAnyValueJson(const AnyValueView& v, std::string& out) {
  switch (v.kind) {
    case AnyValueKind::kEmpty: out += "null"; return;
    case AnyValueKind::kString: text::AppendJsonQuoted(v.bytes, &out); return;
    case AnyValueKind::kBool: out += v.bool_value ? "true" : "false"; return;
    case AnyValueKind::kInt:
    case AnyValueKind::kStringIndex: out += std::to_string(v.int_value); return;
    case AnyValueKind::kDouble:
      if (std::isfinite(v.double_value)) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, v.double_value);
        out.append(buf, r.ptr);
      } else {
        text::AppendJsonQuoted(std::isnan(v.double_value) ? "NaN" : v.double_value > 0 ? "Infinity" : "-Infinity", &out);
      }
      return;
    case AnyValueKind::kBytes: {
      std::string b64;
      text::AppendBase64(v.bytes, &b64);
      text::AppendJsonQuoted(b64, &out);
      return;
    }
    case AnyValueKind::kArray: {
      std::vector<AnyValueView> items;
      otlp::ParseArrayValue(v.bytes, &items, nullptr);
      out.push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out.push_back(',');
        AppendAnyValueJson(items[i], out);
      }
      out.push_back(']');
      return;
    }
    case AnyValueKind::kKvList: {
      std::vector<KeyValueView> items;
      otlp::ParseKeyValueList(v.bytes, &items, nullptr);
      out.push_back('{');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out.push_back(',');
        text::AppendJsonQuoted(items[i].key, &out);
        out.push_back(':');
        AppendAnyValueJson(items[i].value, out);
      }
      out.push_back('}');
      return;
    }
  }
}

// Converts one value; false when a string in it is not UTF-8.
bool ToStore(const AnyValueView& v, store::Value* out) {
  switch (v.kind) {
    case AnyValueKind::kEmpty: *out = store::Value::String(""); return true;
    case AnyValueKind::kString:
      if (!IsValidUtf8(v.bytes)) return false;
      *out = store::Value::String(std::string(v.bytes));
      return true;
    case AnyValueKind::kBool: *out = store::Value::Bool(v.bool_value); return true;
    case AnyValueKind::kInt:
    case AnyValueKind::kStringIndex: *out = store::Value::Int(v.int_value); return true;
    case AnyValueKind::kDouble: *out = store::Value::Double(v.double_value); return true;
    case AnyValueKind::kBytes: *out = store::Value::Bytes(std::string(v.bytes)); return true;
    case AnyValueKind::kArray:
    case AnyValueKind::kKvList: {
      std::string json;
      AppendAnyValueJson(v, json);
      *out = store::Value::Json(std::move(json));
      return true;
    }
  }
  return true;
}

bool ToStore(std::span<const KeyValueView> in, store::Attributes* out) {
  out->reserve(out->size() + in.size());
  for (const KeyValueView& kv : in) {
    if (!IsValidUtf8(kv.key)) return false;
    store::KeyValue& attr = out->emplace_back();
    attr.key.assign(kv.key);
    if (!ToStore(kv.value, &attr.value)) return false;
  }
  return true;
}

template <size_t N>
bool CopyId(std::string_view bytes, Id<N>* id) {
  if (bytes.size() != N) return false;
  std::memcpy(id->mutable_bytes().data(), bytes.data(), N);
  return true;
}

// Resource and scope converted once per request, then copied into each item.
struct Envelope {
  std::string service;
  store::Attributes resource_attributes;
  bool valid = true;
};

template <typename Request>
std::vector<Envelope> ConvertResources(const Request& req) {
  std::vector<Envelope> out(req.resources().size());
  for (size_t i = 0; i < out.size(); ++i) {
    const otlp::DecodedResource& r = req.resources()[i];
    out[i].valid = ToStore(r.attributes, &out[i].resource_attributes);
    std::string_view svc = r.service_name();
    out[i].service = svc.empty() ? "unknown_service" : std::string(svc);
  }
  return out;
}

const char* ConvertSpan(const otlp::DecodedSpan& s, const Envelope& env, store::StoredSpan* span) {
  if (!env.valid) return "resource attribute is not valid UTF-8";
  if (!CopyId(s.trace_id, &span->trace_id) || !span->trace_id.IsValid()) return "invalid trace_id";
  if (!CopyId(s.span_id, &span->span_id) || !span->span_id.IsValid()) return "invalid span_id";
  if (!s.parent_span_id.empty() && !CopyId(s.parent_span_id, &span->parent_span_id))
    return "invalid parent_span_id";
  if (s.end_time_unix_nano < s.start_time_unix_nano) return "end_time_unix_nano before start_time_unix_nano";
  if (!IsValidUtf8(s.name) || !IsValidUtf8(s.status_message) || !IsValidUtf8(s.trace_state) ||
      !IsValidUtf8(s.scope->name) || !IsValidUtf8(s.scope->version))
    return "string field is not valid UTF-8";
  span->operation.assign(s.name);
  span->kind = s.kind >= 0 && s.kind <= 5 ? static_cast<store::SpanKind>(s.kind) : store::SpanKind::kUnspecified;
  span->start_ns = s.start_time_unix_nano;
  span->duration_ns = s.end_time_unix_nano - s.start_time_unix_nano;
  span->status = s.status_code == 1   ? store::SpanStatus::kOk
                 : s.status_code == 2 ? store::SpanStatus::kError
                                      : store::SpanStatus::kUnset;
  span->status_message.assign(s.status_message);
  span->flags = s.flags;
  span->trace_state.assign(s.trace_state);
  if (!ToStore(s.attributes, &span->attributes)) return "attribute is not valid UTF-8";
  span->events.reserve(s.events.size());
  for (const otlp::DecodedEvent& e : s.events) {
    store::Event& ev = span->events.emplace_back();
    ev.time_ns = e.time_unix_nano;
    if (!IsValidUtf8(e.name)) return "event name is not valid UTF-8";
    ev.name.assign(e.name);
    if (!ToStore(e.attributes, &ev.attributes)) return "event attribute is not valid UTF-8";
  }
  span->links.reserve(s.links.size());
  for (const otlp::DecodedLink& l : s.links) {
    store::Link& link = span->links.emplace_back();
    if (!CopyId(l.trace_id, &link.trace_id) || !CopyId(l.span_id, &link.span_id))
      return "invalid link id";
    if (!IsValidUtf8(l.trace_state)) return "link trace_state is not valid UTF-8";
    link.trace_state.assign(l.trace_state);
    if (!ToStore(l.attributes, &link.attributes)) return "link attribute is not valid UTF-8";
  }
  span->service = env.service;
  span->scope_name.assign(s.scope->name);
  span->scope_version.assign(s.scope->version);
  return nullptr;
}

const char* ConvertLog(const otlp::DecodedLogRecord& r, const Envelope& env, store::StoredLog* log) {
  if (!env.valid) return "resource attribute is not valid UTF-8";
  if (!r.trace_id.empty() && !CopyId(r.trace_id, &log->trace_id)) return "invalid trace_id";
  if (!r.span_id.empty() && !CopyId(r.span_id, &log->span_id)) return "invalid span_id";
  if (!IsValidUtf8(r.severity_text) || !IsValidUtf8(r.event_name) || !IsValidUtf8(r.scope->name) ||
      !IsValidUtf8(r.scope->version))
    return "string field is not valid UTF-8";
  log->time_ns = r.time_unix_nano;
  log->observed_ns = r.observed_time_unix_nano;
  log->severity_number = r.severity_number;
  log->severity_text.assign(r.severity_text);
  if (r.has_body && !ToStore(r.body, &log->body)) return "body is not valid UTF-8";
  if (!ToStore(r.attributes, &log->attributes)) return "attribute is not valid UTF-8";
  if (!r.event_name.empty()) log->attributes.push_back({"event.name", store::Value::String(std::string(r.event_name))});
  log->flags = r.flags;
  log->service = env.service;
  log->scope_name.assign(r.scope->name);
  log->scope_version.assign(r.scope->version);
  return nullptr;
}

template <typename Request>
size_t ResourceIndex(const Request& req, const otlp::DecodedScope* scope) {
  return static_cast<size_t>(scope->resource - req.resources().data());
}

}  // namespace

namespace {
// Resources of a request go into out->resources once; returns the index
// of the request's first resource there.
uint32_t AddResources(std::vector<Envelope>& envs, store::IngestBatch* out) {
  auto base = static_cast<uint32_t>(out->resources.size());
  for (Envelope& e : envs) out->resources.push_back(std::move(e.resource_attributes));
  return base;
}
}  // namespace

Status DecodeOtlpProtoTraces(std::string_view body, store::IngestBatch* out, Rejections* rejected,
                             std::string* cleaned) {
  thread_local otlp::DecodedTraceRequest req;
  std::string error;
  std::string local;
  std::string& salvaged = cleaned ? *cleaned : local;
  salvaged.clear();
  if (!otlp::DecodeTraceRequest(body, &req, &error)) {
    // One span with an id of the wrong length fails the whole decode; drop
    // such spans (counting them) and decode the rest.
    if (!SalvageTraceRequest(body, &salvaged, rejected) || !otlp::DecodeTraceRequest(salvaged, &req, nullptr)) {
      return InvalidArgument("malformed OTLP protobuf: " + error);
    }
  }
  std::vector<Envelope> envs = ConvertResources(req);
  uint32_t base = AddResources(envs, out);
  out->spans.reserve(out->spans.size() + req.spans().size());
  out->span_resource.reserve(out->spans.capacity());
  for (const otlp::DecodedSpan& s : req.spans()) {
    size_t r = ResourceIndex(req, s.scope);
    store::StoredSpan& span = out->spans.emplace_back();
    if (const char* why = ConvertSpan(s, envs[r], &span)) {
      rejected->Add(why);
      out->spans.pop_back();
      continue;
    }
    out->span_resource.push_back(base + static_cast<uint32_t>(r));
  }
  return Status::Ok();
}

Status DecodeOtlpProtoLogs(std::string_view body, store::IngestBatch* out, Rejections* rejected,
                           std::string* cleaned) {
  thread_local otlp::DecodedLogsRequest req;
  std::string error;
  std::string local;
  std::string& salvaged = cleaned ? *cleaned : local;
  salvaged.clear();
  if (!otlp::DecodeLogsRequest(body, &req, &error)) {
    if (!SalvageLogsRequest(body, &salvaged, rejected) || !otlp::DecodeLogsRequest(salvaged, &req, nullptr)) {
      return InvalidArgument("malformed OTLP protobuf: " + error);
    }
  }
  std::vector<Envelope> envs = ConvertResources(req);
  uint32_t base = AddResources(envs, out);
  out->logs.reserve(out->logs.size() + req.records().size());
  out->log_resource.reserve(out->logs.capacity());
  for (const otlp::DecodedLogRecord& r : req.records()) {
    size_t ri = ResourceIndex(req, r.scope);
    store::StoredLog& log = out->logs.emplace_back();
    if (const char* why = ConvertLog(r, envs[ri], &log)) {
      rejected->Add(why);
      out->logs.pop_back();
      continue;
    }
    out->log_resource.push_back(base + static_cast<uint32_t>(ri));
  }
  return Status::Ok();
}

Status DecodeOtlpProtoTraces(std::string_view body, SpanBatch* out) {
  store::IngestBatch in;
  CALLPATH_RETURN_IF_ERROR(DecodeOtlpProtoTraces(body, &in, &out->rejected));
  out->spans.reserve(out->spans.size() + in.spans.size());
  for (size_t i = 0; i < in.spans.size(); ++i) {
    in.spans[i].resource_attributes = in.resources[in.span_resource[i]];
    out->spans.push_back(std::move(in.spans[i]));
  }
  return Status::Ok();
}

Status DecodeOtlpProtoLogs(std::string_view body, LogBatch* out) {
  store::IngestBatch in;
  CALLPATH_RETURN_IF_ERROR(DecodeOtlpProtoLogs(body, &in, &out->rejected));
  out->logs.reserve(out->logs.size() + in.logs.size());
  for (size_t i = 0; i < in.logs.size(); ++i) {
    in.logs[i].resource_attributes = in.resources[in.log_resource[i]];
    out->logs.push_back(std::move(in.logs[i]));
  }
  return Status::Ok();
}

}  // namespace callpath::daemon
