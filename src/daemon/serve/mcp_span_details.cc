// get_span_details: up to 20 spans of one trace in full (attributes,
// resource, events, links, status) with their own log records, within the
// result budget: spans that do not fit are counted, never cut in half.
#include <algorithm>
#include <string>
#include <vector>

#include "daemon/serve/mcp_tool_support.h"
#include "query/render_util.h"

namespace callpath::daemon::mcp {
namespace {

constexpr size_t kMaxSpanIds = 20;
constexpr size_t kMaxLogsPerSpan = 20;
constexpr size_t kEnvelopeBytes = 1024;

void WriteAttributes(std::string_view key, const store::Attributes& attrs, text::JsonWriter& w) {
  w.Key(key);
  w.BeginArray();
  for (const auto& kv : attrs) {
    w.BeginObject();
    w.Field("key", Clip(kv.key, 256));
    w.Field("value", Clip(kv.value.AsText(), 1024));
    w.EndObject();
  }
  w.EndArray();
}

std::string_view StatusName(const store::StoredSpan& s) {
  return s.is_error() ? "error" : s.status == store::SpanStatus::kOk ? "ok" : "unset";
}

std::string SpanDetailJson(const store::StoredSpan& s, const std::vector<const store::StoredLog*>& logs) {
  text::JsonWriter w;
  w.BeginObject();
  w.Field("span_id", s.span_id.ToHex());
  w.Field("parent_span_id", s.parent_span_id.IsValid() ? s.parent_span_id.ToHex() : "");
  w.Field("service", Clip(s.service, 256));
  w.Field("operation", Clip(s.operation, 512));
  w.Field("kind", store::SpanKindName(s.kind));
  w.Field("start_time", query::detail::Rfc3339Nanos(s.start_ns));
  w.FieldUint("duration_ns", s.duration_ns);
  w.Field("status", StatusName(s));
  w.Field("status_message", Clip(s.status_message));
  WriteAttributes("attributes", s.attributes, w);
  WriteAttributes("resource", s.resource_attributes, w);
  w.Key("events");
  w.BeginArray();
  for (const auto& e : s.events) {
    w.BeginObject();
    w.Field("time", query::detail::Rfc3339Nanos(e.time_ns));
    w.Field("name", Clip(e.name, 256));
    WriteAttributes("attributes", e.attributes, w);
    w.EndObject();
  }
  w.EndArray();
  w.Key("links");
  w.BeginArray();
  for (const auto& l : s.links) {
    w.BeginObject();
    w.Field("trace_id", l.trace_id.ToHex());
    w.Field("span_id", l.span_id.ToHex());
    WriteAttributes("attributes", l.attributes, w);
    w.EndObject();
  }
  w.EndArray();
  w.Key("logs");
  w.BeginArray();
  for (size_t k = 0; k < logs.size() && k < kMaxLogsPerSpan; ++k) {
    const store::StoredLog& l = *logs[k];
    w.BeginObject();
    w.Field("time", query::detail::Rfc3339Nanos(l.effective_time_ns()));
    w.Field("severity", l.severity_text.empty() ? query::detail::SeverityName(l.severity_number)
                                                : Clip(l.severity_text, 64));
    w.Field("body", Clip(l.body.AsText()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

// The span ids asked for, in order, duplicates dropped; an error names the
// first one that is not a span id.
Result<std::vector<SpanId>> ParseSpanIds(const std::string& joined) {
  constexpr std::string_view kCount = "argument span_ids: give 1 to 20 span ids; call again for more";
  if (joined.empty()) return InvalidArgument(std::string(kCount));
  std::vector<SpanId> ids;
  size_t pos = 0;
  while (pos <= joined.size()) {
    size_t nl = joined.find('\n', pos);
    std::string one = joined.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? joined.size() + 1 : nl + 1;
    auto id = SpanId::FromHex(one);
    if (!id) {
      return InvalidArgument("span id '" + Clip(one, 64) +
                             "' is not a span id: want 16 hex digits, not all zero (get_trace lists them)");
    }
    if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
  }
  if (ids.size() > kMaxSpanIds) return InvalidArgument(std::string(kCount));
  return ids;
}

}  // namespace

Result<std::string> SpanDetailsContent(store::Store& store, const Args& args, size_t budget) {
  auto ids = ParseSpanIds(Arg(args, "span_ids"));
  if (!ids.ok()) return ids.status();
  auto trace = LoadTrace(store, args);
  if (!trace.ok()) return trace.status();
  auto logs = store.log_reader().LogsForTrace(trace->trace_id);
  if (!logs.ok()) return logs.status();

  BoundedItems items(budget - kEnvelopeBytes);
  std::vector<std::string> not_found;
  for (const SpanId& id : *ids) {
    auto span = std::find_if(trace->spans.begin(), trace->spans.end(),
                             [&](const store::StoredSpan& s) { return s.span_id == id; });
    if (span == trace->spans.end()) {
      not_found.push_back(id.ToHex());
      continue;
    }
    std::vector<const store::StoredLog*> own;
    for (const auto& l : *logs) {
      if (l.span_id == id) own.push_back(&l);
    }
    items.Add(SpanDetailJson(*span, own));
  }
  size_t found = ids->size() - not_found.size();
  text::JsonWriter w;
  w.BeginObject();
  w.Field("trace_id", trace->trace_id.ToHex());
  items.Write("spans", w);
  w.Key("not_found");
  w.BeginArray();
  for (const auto& id : not_found) w.String(id);
  w.EndArray();
  w.FieldUint("total_count", found);
  w.FieldUint("returned_count", items.count());
  w.FieldBool("truncated", items.count() < found);
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::daemon::mcp
