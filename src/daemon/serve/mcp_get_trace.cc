// get_trace: one trace as a flat, depth-first list of spans that fits the
// result budget. When it does not fit, error spans and critical-path spans
// are kept first, then the others in tree order, and what was left out is
// counted by service and operation.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "daemon/serve/mcp_tool_support.h"
#include "daemon/serve/query_api_v3.h"
#include "query/assembled_trace.h"
#include "query/render_util.h"
#include "query/skew_params.h"

namespace callpath::daemon::mcp {
namespace {

// Room kept for the trace's own fields and the `omitted` list.
constexpr size_t kReservedBytes = 6 * 1024;
constexpr size_t kMaxOmittedGroups = 30;
// get_trace with attributes: at most this many per span (get_span_details has them all).
constexpr size_t kMaxAttributesPerSpan = 32;

// Depth-first order from the root, children by start time; spans the walk
// does not reach (none in a well-formed trace) follow in start order.
std::vector<size_t> TreeOrder(const query::AssembledTrace& t) {
  std::vector<size_t> order;
  order.reserve(t.spans.size());
  std::vector<bool> seen(t.spans.size(), false);
  std::vector<size_t> stack;
  if (t.root >= 0) stack.push_back(static_cast<size_t>(t.root));
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    if (seen[i]) continue;
    seen[i] = true;
    order.push_back(i);
    const auto& kids = t.children[i];
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
  }
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (!seen[i]) order.push_back(i);
  }
  return order;
}

// The status message, or else the message of the span's first exception event.
std::string ErrorMessage(const store::StoredSpan& s) {
  if (!s.status_message.empty()) return s.status_message;
  for (const auto& e : s.events) {
    if (e.name != "exception") continue;
    for (const auto& a : e.attributes) {
      if (a.key == "exception.message") return a.value.AsText();
    }
  }
  return {};
}

std::string SpanJson(const query::AssembledTrace& t, size_t i, uint64_t self_ns, bool critical, bool attributes) {
  const store::StoredSpan& s = t.spans[i];
  text::JsonWriter w;
  w.BeginObject();
  w.Field("span_id", s.span_id.ToHex());
  w.Field("parent_span_id", s.parent_span_id.IsValid() ? s.parent_span_id.ToHex() : "");
  w.FieldUint("depth", t.depth[i]);
  w.Field("service", Clip(s.service, 256));
  w.Field("operation", Clip(s.operation, 512));
  w.Field("kind", store::SpanKindName(s.kind));
  w.FieldUint("start_offset_ns", s.start_ns > t.start_ns() ? s.start_ns - t.start_ns() : 0);
  w.FieldUint("duration_ns", s.duration_ns);
  w.FieldUint("self_ns", self_ns);
  w.Field("status", s.is_error() ? "error" : s.status == store::SpanStatus::kOk ? "ok" : "unset");
  w.Field("error_message", Clip(ErrorMessage(s), 1024));
  w.FieldBool("critical_path", critical);
  if (attributes) {
    w.Key("attributes");
    w.BeginObject();
    size_t listed = 0;
    for (const auto& kv : s.attributes) {
      if (listed++ == kMaxAttributesPerSpan) break;
      w.Field(Clip(kv.key, 128), Clip(kv.value.AsText(), 256));
    }
    w.EndObject();
  }
  w.EndObject();
  return w.Take();
}

// Which spans fit in `budget`: error and critical-path spans first.
std::vector<bool> ChooseSpans(const std::vector<size_t>& order, const std::vector<std::string>& json,
                              const std::vector<bool>& important, size_t budget) {
  std::vector<bool> chosen(json.size(), false);
  size_t used = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i : order) {
      if (chosen[i] || important[i] != (pass == 0)) continue;
      if (used + json[i].size() + 1 > budget) continue;
      chosen[i] = true;
      used += json[i].size() + 1;
    }
  }
  return chosen;
}

void WriteOmitted(const query::AssembledTrace& t, const std::vector<bool>& chosen, text::JsonWriter& w) {
  std::map<std::pair<std::string, std::string>, size_t> groups;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (!chosen[i]) ++groups[{t.spans[i].service, t.spans[i].operation}];
  }
  std::vector<std::pair<size_t, std::pair<std::string, std::string>>> ranked;
  for (auto& [key, n] : groups) ranked.emplace_back(n, key);
  // Largest groups first; name order breaks ties so the answer is stable.
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  w.Key("omitted");
  w.BeginArray();
  for (size_t k = 0; k < ranked.size() && k < kMaxOmittedGroups; ++k) {
    w.BeginObject();
    w.Field("service", Clip(ranked[k].second.first, 48));
    w.Field("operation", Clip(ranked[k].second.second, 48));
    w.FieldUint("count", ranked[k].first);
    w.EndObject();
  }
  w.EndArray();
}

std::string Render(const query::AssembledTrace& t, size_t budget, bool attributes) {
  std::vector<uint64_t> self = query::SelfTimes(t);
  std::vector<bool> critical(t.spans.size(), false);
  for (const auto& seg : query::CriticalPath(t)) critical[seg.span] = true;
  std::vector<std::string> json(t.spans.size());
  std::vector<bool> important(t.spans.size());
  std::set<std::string> services;
  size_t errors = 0;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    json[i] = SpanJson(t, i, self[i], critical[i], attributes);
    important[i] = critical[i] || t.spans[i].is_error();
    services.insert(t.spans[i].service);
    errors += t.spans[i].is_error();
  }
  std::vector<size_t> order = TreeOrder(t);
  std::vector<bool> chosen = ChooseSpans(order, json, important, budget > kReservedBytes ? budget - kReservedBytes : 0);
  size_t returned = static_cast<size_t>(std::count(chosen.begin(), chosen.end(), true));
  text::JsonWriter w;
  w.BeginObject();
  w.Field("trace_id", t.trace_id.ToHex());
  w.Field("start_time", query::detail::Rfc3339Nanos(t.start_ns()));
  w.FieldUint("duration_ns", t.spans.empty() ? 0 : t.end_ns() - t.start_ns());
  w.FieldUint("span_count", t.spans.size());
  w.FieldUint("error_count", errors);
  w.Key("services");
  w.BeginArray();
  size_t listed = 0;
  for (const auto& s : services) {
    if (listed++ < 20) w.String(Clip(s, 64));
  }
  w.EndArray();
  w.Key("spans");
  w.BeginArray();
  for (size_t i : order) {
    if (chosen[i]) w.RawValue(json[i]);
  }
  w.EndArray();
  WriteOmitted(t, chosen, w);
  w.FieldUint("total_count", t.spans.size());
  w.FieldUint("returned_count", returned);
  w.FieldBool("truncated", returned < t.spans.size());
  w.EndObject();
  return w.Take();
}

// The critical path's segments in time order; when they do not all fit, the
// longest ones that fit (where the time went) are kept.
std::string RenderCriticalPath(const query::AssembledTrace& t, size_t budget) {
  std::vector<query::CriticalSegment> path = query::CriticalPath(t);
  std::vector<std::string> json(path.size());
  for (size_t k = 0; k < path.size(); ++k) {
    const store::StoredSpan& s = t.spans[path[k].span];
    text::JsonWriter w;
    w.BeginObject();
    w.Field("span_id", s.span_id.ToHex());
    w.Field("service", Clip(s.service, 256));
    w.Field("operation", Clip(s.operation, 512));
    w.FieldUint("start_offset_ns", path[k].start_ns > t.start_ns() ? path[k].start_ns - t.start_ns() : 0);
    w.FieldUint("duration_ns", path[k].end_ns - path[k].start_ns);
    w.Field("status", s.is_error() ? "error" : s.status == store::SpanStatus::kOk ? "ok" : "unset");
    w.EndObject();
    json[k] = w.Take();
  }
  std::vector<size_t> by_length(path.size());
  for (size_t k = 0; k < path.size(); ++k) by_length[k] = k;
  std::stable_sort(by_length.begin(), by_length.end(), [&](size_t a, size_t b) {
    return path[a].end_ns - path[a].start_ns > path[b].end_ns - path[b].start_ns;
  });
  std::vector<bool> chosen(path.size(), false);
  size_t used = 0, returned = 0, room = budget > kReservedBytes ? budget - kReservedBytes : 0;
  for (size_t k : by_length) {
    if (used + json[k].size() + 1 > room) continue;
    chosen[k] = true;
    used += json[k].size() + 1;
    ++returned;
  }
  text::JsonWriter w;
  w.BeginObject();
  w.Field("trace_id", t.trace_id.ToHex());
  w.FieldUint("duration_ns", t.spans.empty() ? 0 : t.end_ns() - t.start_ns());
  w.Key("segments");
  w.BeginArray();
  for (size_t k = 0; k < path.size(); ++k) {
    if (chosen[k]) w.RawValue(json[k]);
  }
  w.EndArray();
  w.FieldUint("total_count", path.size());
  w.FieldUint("returned_count", returned);
  w.FieldBool("truncated", returned < path.size());
  w.EndObject();
  return w.Take();
}

}  // namespace

Result<query::AssembledTrace> LoadTrace(store::Store& store, const Args& args,
                                        const query::AssembleOptions& defaults) {
  std::string hex = Arg(args, "trace_id");
  auto id = ParseTraceIdInUrl(hex);
  if (!id) {
    return InvalidArgument("trace_id '" + Clip(hex, 64) +
                           "' is not a trace id: want 1 to 32 hex digits, not all zero (search_traces lists ids)");
  }
  auto options = query::ApplyAdjustSkew(Arg(args, "adjust_skew"), defaults);
  if (!options.ok()) return options.status();
  auto spans = store.span_reader().GetTrace(*id);
  if (!spans.ok()) {
    if (spans.status().code() != StatusCode::kNotFound) return spans.status();
    return NotFound("trace " + id->ToHex() +
                    " not found: it may be older than the retention or not received yet; find ids with search_traces");
  }
  return query::AssembleTrace(std::move(spans).value(), options.value());
}

Result<std::string> CriticalPathContent(store::Store& store, const Args& args, size_t budget,
                                        const query::AssembleOptions& assemble) {
  auto trace = LoadTrace(store, args, assemble);
  if (!trace.ok()) return trace.status();
  return RenderCriticalPath(trace.value(), budget);
}

Result<std::string> GetTraceContent(store::Store& store, const Args& args, size_t budget,
                                    const query::AssembleOptions& assemble) {
  auto trace = LoadTrace(store, args, assemble);
  if (!trace.ok()) return trace.status();
  return Render(trace.value(), budget, Arg(args, "attributes") == "true");
}

}  // namespace callpath::daemon::mcp
