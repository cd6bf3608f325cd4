#include "analyze/compare.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "analyze/diagnose_shift.h"
#include "store/log_template.h"
#include "store/stats_fold.h"

namespace callpath::analyze {
namespace {

// Path of every span from the root; siblings of one name numbered in start
// order (children are in start order already).
std::map<std::string, size_t> Paths(const query::AssembledTrace& t) {
  std::map<std::string, size_t> out;
  std::vector<std::string> path(t.spans.size());
  std::vector<size_t> stack;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (t.parent[i] < 0) stack.push_back(i);
  }
  std::map<std::string, int> root_seen;
  for (size_t r : stack) {
    std::string name = t.spans[r].service + ":" + t.spans[r].operation;
    int n = ++root_seen[name];
    path[r] = n > 1 ? name + "#" + std::to_string(n) : name;
  }
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    out.emplace(path[i], i);
    std::map<std::string, int> seen;
    for (size_t c : t.children[i]) {
      if (t.parent[c] != static_cast<int>(i)) continue;
      std::string name = t.spans[c].service + ":" + t.spans[c].operation;
      int n = ++seen[name];
      path[c] = path[i] + " > " + (n > 1 ? name + "#" + std::to_string(n) : name);
      stack.push_back(c);
    }
  }
  return out;
}

struct TemplateCount {
  std::string text;
  int32_t severity = 0;
  size_t count = 0;
};

std::map<std::pair<std::string, uint64_t>, TemplateCount> Templates(const std::vector<store::StoredLog>& logs) {
  std::map<std::pair<std::string, uint64_t>, TemplateCount> out;
  std::string scratch;
  for (const auto& l : logs) {
    store::LogTemplate t = store::LogTemplateOf(store::LogBodyText(l, &scratch));
    TemplateCount& c = out[{l.service, t.id}];
    if (c.count == 0) c.text = std::move(t.text);
    c.severity = std::max(c.severity, l.severity_number);
    ++c.count;
  }
  return out;
}

int Importance(const SpanDifference& d) {
  if (d.status_changed) return 0;
  return d.change == SpanChange::kOnlyInA || d.change == SpanChange::kOnlyInB ? 1 : 2;
}

uint64_t AbsDiff(uint64_t x, uint64_t y) { return x > y ? x - y : y - x; }

std::string Summary(const TraceComparison& c) {
  std::string s = "b took " + FormatNs(static_cast<double>(c.b_duration_ns)) + " where a took " +
                  FormatNs(static_cast<double>(c.a_duration_ns)) + "; " + std::to_string(c.matched) + " spans matched";
  size_t only_a = 0, only_b = 0, status = 0;
  const SpanDifference* biggest = nullptr;
  for (const auto& d : c.spans) {
    only_a += d.change == SpanChange::kOnlyInA;
    only_b += d.change == SpanChange::kOnlyInB;
    status += d.status_changed;
    if ((d.change == SpanChange::kSlower || d.change == SpanChange::kFaster) &&
        (!biggest || AbsDiff(d.a_self_ns, d.b_self_ns) > AbsDiff(biggest->a_self_ns, biggest->b_self_ns))) {
      biggest = &d;
    }
  }
  if (status) s += ", " + std::to_string(status) + " changed status";
  if (only_a) s += ", " + std::to_string(only_a) + " only in a";
  if (only_b) s += ", " + std::to_string(only_b) + " only in b";
  if (biggest) {
    s += "; the largest change of own time is " + biggest->operation + " (" + biggest->service +
         "): " + FormatNs(static_cast<double>(biggest->a_self_ns)) + " -> " +
         FormatNs(static_cast<double>(biggest->b_self_ns));
  }
  if (!c.templates.empty()) s += "; " + std::to_string(c.templates.size()) + " log templates in one trace only";
  return s + ".";
}

}  // namespace

const char* SpanChangeName(SpanChange change) noexcept {
  switch (change) {
    case SpanChange::kOnlyInA: return "only_in_a";
    case SpanChange::kOnlyInB: return "only_in_b";
    case SpanChange::kSlower: return "slower";
    case SpanChange::kFaster: return "faster";
    case SpanChange::kStatus: return "status";
  }
  return "status";
}

TraceComparison CompareTraces(const query::AssembledTrace& a, const std::vector<store::StoredLog>& a_logs,
                              const query::AssembledTrace& b, const std::vector<store::StoredLog>& b_logs,
                              const CompareOptions& options) {
  TraceComparison c;
  c.a = a.trace_id;
  c.b = b.trace_id;
  c.a_duration_ns = a.spans.empty() ? 0 : a.end_ns() - a.start_ns();
  c.b_duration_ns = b.spans.empty() ? 0 : b.end_ns() - b.start_ns();
  c.a_spans = a.spans.size();
  c.b_spans = b.spans.size();
  auto pa = Paths(a), pb = Paths(b);
  auto sa = query::SelfTimes(a), sb = query::SelfTimes(b);
  auto fill = [&](SpanDifference& d) {
    const store::StoredSpan& s = d.a >= 0 ? a.spans[d.a] : b.spans[d.b];
    d.service = s.service;
    d.operation = s.operation;
    if (d.a >= 0) d.a_duration_ns = a.spans[d.a].duration_ns, d.a_self_ns = sa[d.a], d.a_status = a.spans[d.a].status;
    if (d.b >= 0) d.b_duration_ns = b.spans[d.b].duration_ns, d.b_self_ns = sb[d.b], d.b_status = b.spans[d.b].status;
  };
  for (const auto& [path, ia] : pa) {
    SpanDifference d;
    d.path = path;
    d.a = static_cast<int>(ia);
    auto it = pb.find(path);
    if (it == pb.end()) {
      d.change = SpanChange::kOnlyInA;
      fill(d);
      c.spans.push_back(std::move(d));
      continue;
    }
    ++c.matched;
    d.b = static_cast<int>(it->second);
    fill(d);
    uint64_t lo = std::min(d.a_duration_ns, d.b_duration_ns), delta = AbsDiff(d.a_duration_ns, d.b_duration_ns);
    bool moved = delta >= options.min_absolute_change_ns &&
                 static_cast<double>(delta) >= options.min_relative_change * static_cast<double>(lo);
    d.status_changed = d.a_status != d.b_status;
    if (!moved && !d.status_changed) continue;
    d.change =
        moved ? (d.b_duration_ns > d.a_duration_ns ? SpanChange::kSlower : SpanChange::kFaster) : SpanChange::kStatus;
    c.spans.push_back(std::move(d));
  }
  for (const auto& [path, ib] : pb) {
    if (pa.count(path)) continue;
    SpanDifference d;
    d.change = SpanChange::kOnlyInB;
    d.path = path;
    d.b = static_cast<int>(ib);
    fill(d);
    c.spans.push_back(std::move(d));
  }
  std::stable_sort(c.spans.begin(), c.spans.end(), [](const SpanDifference& x, const SpanDifference& y) {
    int ix = Importance(x), iy = Importance(y);
    if (ix != iy) return ix < iy;
    return AbsDiff(x.a_duration_ns, x.b_duration_ns) > AbsDiff(y.a_duration_ns, y.b_duration_ns);
  });
  auto ta = Templates(a_logs), tb = Templates(b_logs);
  for (int side = 0; side < 2; ++side) {
    const auto& mine = side == 0 ? ta : tb;
    const auto& other = side == 0 ? tb : ta;
    for (const auto& [key, t] : mine) {
      if (other.count(key)) continue;
      c.templates.push_back({key.first, key.second, t.text, t.severity, t.count, side == 0});
    }
  }
  c.summary = Summary(c);
  return c;
}

}  // namespace callpath::analyze
