#include "daemon/serve/trace_parts.h"
#include "daemon/serve/native_response.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "daemon/serve/query_api_v3.h"
#include "query/assembled_trace.h"
#include "query/params.h"
#include "query/skew_params.h"
#include "query/render_util.h"
#include "query/skeleton.h"
#include "text/json_escape.h"

namespace callpath::daemon {
namespace {

constexpr size_t kMaxSpanIds = 1000;
constexpr size_t kDefaultLogLimit = 500;
constexpr size_t kMaxLogLimit = 5000;

HttpResponse StoreError(const Status& s) {
  if (s.code() == StatusCode::kNotFound) return NativeError(404, "trace not found");
  return NativeError(s.code() == StatusCode::kInvalidArgument ? 400 : 500, s.message());
}

std::optional<size_t> ParseCount(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

// What a part needs of each span: the tree's fields only (the skeleton) or
// everything (span details, find).
enum class Depth { kSkeleton, kFull };

// The last trace assembled, kept for the requests that follow its skeleton
// (span details, find) so that a click on a span of a 200k-span trace does
// not read the whole trace again. Two slots: the skeleton's trace, read
// with GetTraceSkeleton (no attributes, events or resources: a fraction of
// the full read's time and memory), and the last full one, which also
// serves a skeleton. Valid while the trace's stored summary is unchanged
// (no span added); keyed by store too, as one process may serve several
// stores (tests).
class LastTrace {
 public:
  Result<std::shared_ptr<const query::AssembledTrace>> Get(store::Store& store, const TraceId& id,
                                                           const query::AssembleOptions& options, Depth depth) {
    auto summary = store.span_reader().GetTraceSummary(id);
    if (!summary.ok()) return summary.status();
    Slot key{&store, options, summary.value(), nullptr};
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (full_.Holds(key)) return full_.trace;
      if (depth == Depth::kSkeleton && skeleton_.Holds(key)) return skeleton_.trace;
    }
    auto spans = depth == Depth::kFull ? store.span_reader().GetTrace(id) : store.span_reader().GetTraceSkeleton(id);
    if (!spans.ok()) return spans.status();
    key.trace = std::make_shared<const query::AssembledTrace>(query::AssembleTrace(std::move(spans).value(), options));
    std::lock_guard<std::mutex> lock(mu_);
    (depth == Depth::kFull ? full_ : skeleton_) = key;
    return key.trace;
  }

 private:
  struct Slot {
    const store::Store* store = nullptr;
    query::AssembleOptions options;
    store::TraceSummary summary;
    std::shared_ptr<const query::AssembledTrace> trace;
    bool Holds(const Slot& k) const {
      return trace && store == k.store && summary == k.summary &&
             options.adjust_clock_skew == k.options.adjust_clock_skew &&
             options.max_clock_skew_ns == k.options.max_clock_skew_ns;
    }
  };

  std::mutex mu_;
  Slot skeleton_, full_;
};

Result<std::shared_ptr<const query::AssembledTrace>> Assembled(store::Store& store, const TraceId& id,
                                                               const query::AssembleOptions& options,
                                                               Depth depth = Depth::kFull) {
  static LastTrace* last = new LastTrace();  // never destroyed: outlives every worker thread
  return last->Get(store, id, options, depth);
}

// "traces/{id}/{part}" -> id text and part; false for other paths.
bool SplitPath(std::string_view rest, std::string_view* id, std::string_view* part) {
  if (!rest.starts_with("traces/")) return false;
  rest.remove_prefix(7);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return false;
  *id = rest.substr(0, slash);
  *part = rest.substr(slash + 1);
  return *part == "skeleton" || *part == "spans" || *part == "logs" || *part == "find";
}

HttpResponse Skeleton(store::Store& store, const TraceId& id,
                      const query::AssembleOptions& options) {
  auto trace = Assembled(store, id, options, Depth::kSkeleton);
  if (!trace.ok()) return StoreError(trace.status());
  auto logs = store.log_reader().LogsForTrace(id);
  if (!logs.ok()) return StoreError(logs.status());
  return JsonResponse(200, query::RenderSkeleton(*trace.value(), logs.value()));
}

HttpResponse Spans(store::Store& store, const TraceId& id, const std::string& ids_param,
                   const query::AssembleOptions& options) {
  std::set<SpanId> wanted;
  size_t from = 0;
  while (from <= ids_param.size()) {
    size_t comma = std::min(ids_param.find(',', from), ids_param.size());
    std::string_view hex = std::string_view(ids_param).substr(from, comma - from);
    from = comma + 1;
    if (hex.empty()) continue;
    auto sid = SpanId::FromHex(hex);
    if (!sid || !sid->IsValid()) return NativeError(400, "parameter 'ids': '" + std::string(hex) + "' is not a span id (16 hex digits)");
    wanted.insert(*sid);
    if (wanted.size() > kMaxSpanIds) return NativeError(400, "parameter 'ids': at most 1000 span ids per request");
  }
  if (wanted.empty()) return NativeError(400, "parameter 'ids' is required: comma-separated span ids");
  auto trace = Assembled(store, id, options);
  if (!trace.ok()) return StoreError(trace.status());
  const query::AssembledTrace& t = *trace.value();
  std::vector<uint64_t> self = query::SelfTimes(t);
  std::vector<bool> critical(t.spans.size(), false);
  for (const auto& seg : query::CriticalPath(t)) critical[seg.span] = true;
  query::JsonWriter w;
  w.BeginObject();
  w.Key("spans");
  w.BeginArray();
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (wanted.count(t.spans[i].span_id)) query::detail::WriteSpan(w, t, i, self[i], critical[i]);
  }
  w.EndArray();
  w.EndObject();
  return JsonResponse(200, w.Take());
}

struct LogFilter {
  enum class SpanMode { kAll, kOne, kNone } span_mode = SpanMode::kAll;
  SpanId span;
  int32_t min_severity = 0;
  std::string service;
  size_t offset = 0;
  size_t limit = kDefaultLogLimit;
};

Result<LogFilter> ParseLogFilter(std::string_view query_string) {
  LogFilter f;
  for (const auto& [key, value] : query::SplitQueryString(query_string)) {
    if (key == "span") {
      if (value == "none") {
        f.span_mode = LogFilter::SpanMode::kNone;
      } else if (auto sid = SpanId::FromHex(value); sid && sid->IsValid()) {
        f.span_mode = LogFilter::SpanMode::kOne;
        f.span = *sid;
      } else {
        return InvalidArgument("parameter 'span': want 16 hex digits or 'none'");
      }
    } else if (key == "min_severity") {
      auto v = ParseCount(value);
      if (!v || *v > 24) return InvalidArgument("parameter 'min_severity': want 0 to 24");
      f.min_severity = static_cast<int32_t>(*v);
    } else if (key == "service") {
      f.service = value;
    } else if (key == "offset" || key == "limit") {
      auto v = ParseCount(value);
      if (!v) return InvalidArgument("parameter '" + key + "': want a non-negative integer");
      if (key == "offset") f.offset = *v;
      else if (*v < 1 || *v > kMaxLogLimit) return InvalidArgument("parameter 'limit': want 1 to 5000");
      else f.limit = *v;
    }
  }
  return f;
}

HttpResponse Logs(store::Store& store, const TraceId& id, std::string_view query_string,
                  const query::AssembleOptions& options) {
  auto filter = ParseLogFilter(query_string);
  if (!filter.ok()) return NativeError(400, filter.status().message());
  const LogFilter& f = filter.value();
  auto logs = store.log_reader().LogsForTrace(id);
  if (!logs.ok()) return StoreError(logs.status());
  std::set<SpanId> in_trace;
  if (f.span_mode == LogFilter::SpanMode::kNone) {
    auto trace = Assembled(store, id, options, Depth::kSkeleton);
    if (!trace.ok() && trace.status().code() != StatusCode::kNotFound) return StoreError(trace.status());
    if (trace.ok()) {
      for (const auto& s : trace.value()->spans) in_trace.insert(s.span_id);
    }
  }
  std::vector<const store::StoredLog*> kept;
  for (const auto& l : logs.value()) {
    if (l.severity_number < f.min_severity) continue;
    if (!f.service.empty() && l.service != f.service) continue;
    if (f.span_mode == LogFilter::SpanMode::kOne && l.span_id != f.span) continue;
    if (f.span_mode == LogFilter::SpanMode::kNone && in_trace.count(l.span_id)) continue;
    kept.push_back(&l);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const store::StoredLog* a, const store::StoredLog* b) {
    return a->effective_time_ns() < b->effective_time_ns();
  });
  query::JsonWriter w;
  w.BeginObject();
  w.Key("logs");
  w.BeginArray();
  for (size_t i = f.offset; i < kept.size() && i < f.offset + f.limit; ++i) query::detail::WriteLog(w, *kept[i]);
  w.EndArray();
  w.FieldUint("total", kept.size());
  w.FieldUint("offset", f.offset);
  w.FieldUint("limit", f.limit);
  w.EndObject();
  return JsonResponse(200, w.Take());
}

// ASCII case-insensitive substring test; `needle_lower` is lowercase.
bool ContainsFolded(std::string_view hay, std::string_view needle_lower) {
  if (needle_lower.empty()) return false;
  auto it = std::search(hay.begin(), hay.end(), needle_lower.begin(), needle_lower.end(), [](char h, char n) {
    return (h >= 'A' && h <= 'Z' ? static_cast<char>(h + 32) : h) == n;
  });
  return it != hay.end();
}

bool AttributesMatch(const store::Attributes& attrs, std::string_view needle) {
  for (const auto& kv : attrs) {
    if (ContainsFolded(kv.key, needle) || ContainsFolded(kv.value.AsText(), needle)) return true;
  }
  return false;
}

bool SpanMatches(const store::StoredSpan& s, std::string_view needle) {
  if (ContainsFolded(s.service, needle) || ContainsFolded(s.operation, needle) ||
      ContainsFolded(s.status_message, needle) || AttributesMatch(s.attributes, needle)) {
    return true;
  }
  for (const auto& e : s.events) {
    if (ContainsFolded(e.name, needle) || AttributesMatch(e.attributes, needle)) return true;
  }
  return false;
}

HttpResponse Find(store::Store& store, const TraceId& id, std::string_view query_string,
                  const query::AssembleOptions& options) {
  std::string needle;
  for (const auto& [key, value] : query::SplitQueryString(query_string)) {
    if (key == "q") needle = value;
  }
  if (needle.empty()) return NativeError(400, "parameter 'q' is required: the text to find");
  for (char& c : needle) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  auto trace = Assembled(store, id, options);
  if (!trace.ok()) return StoreError(trace.status());
  auto logs = store.log_reader().LogsForTrace(id);
  if (!logs.ok()) return StoreError(logs.status());
  query::JsonWriter w;
  w.BeginObject();
  w.Key("spans");
  w.BeginArray();
  for (const auto& s : trace.value()->spans) {
    if (SpanMatches(s, needle)) w.String(s.span_id.ToHex());
  }
  w.EndArray();
  size_t log_matches = 0;
  w.Key("log_spans");
  w.BeginArray();
  std::set<SpanId> listed;
  for (const auto& l : logs.value()) {
    if (!ContainsFolded(l.body.AsText(), needle) && !AttributesMatch(l.attributes, needle)) continue;
    ++log_matches;
    if (l.span_id.IsValid() && listed.insert(l.span_id).second) w.String(l.span_id.ToHex());
  }
  w.EndArray();
  w.FieldUint("log_matches", log_matches);
  w.EndObject();
  return JsonResponse(200, w.Take());
}

}  // namespace

bool IsTracePartPath(std::string_view rest) {
  std::string_view id, part;
  return SplitPath(rest, &id, &part);
}

HttpResponse ServeTracePart(store::Store& store, std::string_view rest, std::string_view query_string,
                            const query::AssembleOptions& defaults) {
  std::string_view id_text, part;
  if (!SplitPath(rest, &id_text, &part)) return NativeError(404, "unknown API path");
  auto id = ParseTraceIdInUrl(id_text);
  if (!id) return NativeError(400, "trace id must be 1 to 32 hex digits, not all zero");
  auto options = query::ParseSkewParams(query_string, defaults, false);
  if (!options.ok()) return NativeError(400, options.status().message());
  if (part == "skeleton") return Skeleton(store, *id, *options);
  if (part == "logs") return Logs(store, *id, query_string, *options);
  if (part == "find") return Find(store, *id, query_string, *options);
  std::string ids;
  for (const auto& [key, value] : query::SplitQueryString(query_string)) {
    if (key == "ids") ids += (ids.empty() ? "" : ",") + value;
  }
  return Spans(store, *id, ids, *options);
}

}  // namespace callpath::daemon
