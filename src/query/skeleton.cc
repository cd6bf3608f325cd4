#include "query/skeleton.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "query/render_util.h"

namespace callpath::query {
namespace {

uint64_t SpanKey(const SpanId& id) {
  uint64_t k;
  std::memcpy(&k, id.bytes().data(), sizeof k);
  return k;
}

// Names to small indices, in order of first use.
class Dictionary {
 public:
  uint32_t IndexOf(const std::string& name) {
    auto [it, added] = index_.try_emplace(name, static_cast<uint32_t>(names_.size()));
    if (added) names_.push_back(&it->first);
    return it->second;
  }
  void Write(JsonWriter& w) const {
    w.BeginArray();
    for (const std::string* n : names_) w.String(*n);
    w.EndArray();
  }

 private:
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<const std::string*> names_;
};

template <typename Fn>
void Column(JsonWriter& w, std::string_view key, size_t n, Fn value_of) {
  w.Key(key);
  w.BeginArray();
  for (size_t k = 0; k < n; ++k) w.Int64(value_of(k));
  w.EndArray();
}

int StatusNumber(store::SpanStatus s) {
  return s == store::SpanStatus::kError ? 2 : s == store::SpanStatus::kOk ? 1 : 0;
}

// Flags per span index of the trace (not tree order).
std::vector<int> SpanFlags(const AssembledTrace& t, const std::vector<CriticalSegment>& path) {
  std::vector<int> flags(t.spans.size(), 0);
  for (const auto& seg : path) flags[seg.span] |= kSkeletonCritical;
  for (const auto& a : t.adjustments) flags[a.span] |= kSkeletonSkewed;
  for (size_t o : t.orphans) flags[o] |= kSkeletonOrphan;
  return flags;
}

}  // namespace

std::vector<size_t> TreeOrder(const AssembledTrace& t) {
  std::vector<size_t> order;
  order.reserve(t.spans.size());
  std::vector<bool> seen(t.spans.size(), false);
  std::vector<size_t> stack;
  auto walk = [&](size_t from) {
    stack.push_back(from);
    while (!stack.empty()) {
      size_t i = stack.back();
      stack.pop_back();
      if (seen[i]) continue;  // a malformed tree never loops the walk
      seen[i] = true;
      order.push_back(i);
      const auto& kids = t.children[i];
      for (auto it = kids.rbegin(); it != kids.rend(); ++it) {
        if (!seen[*it]) stack.push_back(*it);
      }
    }
  };
  if (t.root >= 0) walk(static_cast<size_t>(t.root));
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (!seen[i]) walk(i);
  }
  return order;
}

std::string RenderSkeleton(const AssembledTrace& t, const std::vector<store::StoredLog>& logs) {
  const size_t n = t.spans.size();
  const uint64_t t0 = t.start_ns();
  std::vector<size_t> order = TreeOrder(t);
  std::vector<int> tree_index(n, -1);
  for (size_t k = 0; k < n; ++k) tree_index[order[k]] = static_cast<int>(k);

  std::unordered_map<uint64_t, size_t> by_id;
  by_id.reserve(n);
  for (size_t i = 0; i < n; ++i) by_id.emplace(SpanKey(t.spans[i].span_id), i);
  std::vector<uint32_t> log_count(n, 0);
  std::vector<int> log_span(logs.size(), -1);
  size_t without_span = 0;
  for (size_t l = 0; l < logs.size(); ++l) {
    auto it = logs[l].span_id.IsValid() ? by_id.find(SpanKey(logs[l].span_id)) : by_id.end();
    if (it == by_id.end()) {
      ++without_span;
      continue;
    }
    ++log_count[it->second];
    log_span[l] = tree_index[it->second];
  }

  auto path = CriticalPath(t);
  std::vector<int> flags = SpanFlags(t, path);
  Dictionary services, operations;
  std::vector<uint32_t> service_ix(n), operation_ix(n);
  size_t errors = 0, max_depth = 0;
  for (size_t k = 0; k < n; ++k) {
    const auto& s = t.spans[order[k]];
    service_ix[k] = services.IndexOf(s.service);
    operation_ix[k] = operations.IndexOf(s.operation);
    errors += s.is_error();
    max_depth = std::max(max_depth, t.depth[order[k]]);
  }

  JsonWriter w;
  w.BeginObject();
  w.Field("trace_id", t.trace_id.ToHex());
  w.Field("start_ns", std::to_string(t0));
  w.FieldUint("duration_ns", n == 0 ? 0 : t.end_ns() - t0);
  w.FieldUint("span_count", n);
  w.FieldUint("error_count", errors);
  w.FieldUint("max_depth", max_depth);
  w.Field("root_service", t.root >= 0 ? t.spans[t.root].service : "");
  w.Field("root_operation", t.root >= 0 ? t.spans[t.root].operation : "");
  w.FieldUint("log_count", logs.size());
  w.FieldUint("logs_without_span", without_span);
  w.Key("services");
  services.Write(w);
  w.Key("operations");
  operations.Write(w);
  std::string ids(n * SpanId::kHexSize, '0');
  for (size_t k = 0; k < n; ++k) t.spans[order[k]].span_id.ToHex(ids.data() + k * SpanId::kHexSize);
  w.Field("ids", ids);
  auto span = [&](size_t k) -> const store::StoredSpan& { return t.spans[order[k]]; };
  Column(w, "parent", n, [&](size_t k) { int p = t.parent[order[k]]; return p < 0 ? -1 : tree_index[p]; });
  Column(w, "service", n, [&](size_t k) { return service_ix[k]; });
  Column(w, "operation", n, [&](size_t k) { return operation_ix[k]; });
  Column(w, "start", n, [&](size_t k) { return static_cast<int64_t>(span(k).start_ns - t0); });
  Column(w, "duration", n, [&](size_t k) { return static_cast<int64_t>(span(k).duration_ns); });
  Column(w, "status", n, [&](size_t k) { return StatusNumber(span(k).status); });
  Column(w, "kind", n, [&](size_t k) { return static_cast<int>(span(k).kind); });
  Column(w, "logs", n, [&](size_t k) { return log_count[order[k]]; });
  Column(w, "children", n, [&](size_t k) { return t.children[order[k]].size(); });
  Column(w, "flags", n, [&](size_t k) { return flags[order[k]]; });

  w.Key("critical_path");
  w.BeginArray();
  for (const auto& seg : path) {
    w.BeginArray();
    w.Int64(tree_index[seg.span]);
    w.Uint64(seg.start_ns - t0);
    w.Uint64(seg.end_ns - t0);
    w.EndArray();
  }
  w.EndArray();

  w.Key("log_ticks");
  w.BeginObject();
  Column(w, "span", logs.size(), [&](size_t l) { return log_span[l]; });
  Column(w, "offset", logs.size(), [&](size_t l) {
    uint64_t at = logs[l].effective_time_ns();
    return at > t0 ? static_cast<int64_t>(at - t0) : int64_t{0};
  });
  Column(w, "severity", logs.size(), [&](size_t l) { return logs[l].severity_number; });
  w.EndObject();
  w.EndObject();
  return w.Take();
}

}  // namespace callpath::query
