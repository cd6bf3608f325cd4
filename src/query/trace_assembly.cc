// AssembleTrace: order, deduplicate, link parents, attach orphans, correct
// clock skew across service boundaries.
#include <algorithm>
#include <deque>
#include <unordered_map>

#include "query/assembled_trace.h"

namespace callpath::query {

using store::StoredSpan;

namespace {

uint64_t Key(const SpanId& id) {
  uint64_t k;
  std::memcpy(&k, id.bytes().data(), 8);
  return k;
}

void SortSpans(std::vector<StoredSpan>* spans) {
  std::stable_sort(spans->begin(), spans->end(), [](const StoredSpan& a, const StoredSpan& b) {
    if (a.start_ns != b.start_ns) return a.start_ns < b.start_ns;
    return a.span_id < b.span_id;
  });
}

// Links parents, breaks cycles, picks the root, attaches orphans and
// computes children and depth. `spans` must be sorted and distinct.
void Link(AssembledTrace* t) {
  const size_t n = t->spans.size();
  t->parent.assign(n, -1);
  t->children.assign(n, {});
  t->depth.assign(n, 0);
  t->orphans.clear();
  t->root = -1;
  t->warnings.assign(n, {});
  std::unordered_map<uint64_t, size_t> index;
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) index.emplace(Key(t->spans[i].span_id), i);
  for (size_t i = 0; i < n; ++i) {
    const auto& s = t->spans[i];
    if (!s.parent_span_id.IsValid()) continue;
    auto it = index.find(Key(s.parent_span_id));
    if (it != index.end() && it->second != i) t->parent[i] = static_cast<int>(it->second);
  }
  // Break cycles: walk each unvisited chain upwards; an edge into the chain
  // being walked closes a cycle and is cut.
  std::vector<uint8_t> state(n, 0);  // 0 new, 1 on the current path, 2 done
  std::vector<size_t> path;
  for (size_t i = 0; i < n; ++i) {
    path.clear();
    size_t cur = i;
    while (state[cur] == 0) {
      state[cur] = 1;
      path.push_back(cur);
      if (t->parent[cur] < 0) break;
      size_t p = static_cast<size_t>(t->parent[cur]);
      if (state[p] == 1) {
        t->parent[cur] = -1;
        t->warnings[cur].push_back("parent link forms a cycle; cut");
        break;
      }
      cur = p;
    }
    for (size_t k : path) state[k] = 2;
  }
  // The root: the earliest span without a parent id; failing that, the
  // earliest span whose parent is missing.
  for (size_t i = 0; i < n && t->root < 0; ++i) {
    if (t->parent[i] < 0 && !t->spans[i].parent_span_id.IsValid()) t->root = static_cast<int>(i);
  }
  for (size_t i = 0; i < n && t->root < 0; ++i) {
    if (t->parent[i] < 0) t->root = static_cast<int>(i);
  }
  for (size_t i = 0; i < n; ++i) {
    if (t->parent[i] >= 0 || static_cast<int>(i) == t->root) continue;
    t->parent[i] = t->root;
    t->orphans.push_back(i);
    t->warnings[i].push_back(t->spans[i].parent_span_id.IsValid()
                                 ? "parent span " + t->spans[i].parent_span_id.ToHex() +
                                       " not in trace; attached to root"
                                 : "second root span; attached to root");
  }
  for (size_t i = 0; i < n; ++i) {
    if (t->parent[i] >= 0) t->children[static_cast<size_t>(t->parent[i])].push_back(i);
  }
  if (t->root >= 0) {
    std::deque<size_t> q{static_cast<size_t>(t->root)};
    while (!q.empty()) {
      size_t i = q.front();
      q.pop_front();
      for (size_t c : t->children[i]) {
        t->depth[c] = t->depth[i] + 1;
        q.push_back(c);
      }
    }
  }
}

void Shift(StoredSpan* s, int64_t delta) {
  s->start_ns += static_cast<uint64_t>(delta);
  for (auto& e : s->events) e.time_ns += static_cast<uint64_t>(delta);
}

std::string NsText(uint64_t ns) { return std::to_string(ns) + " ns"; }

// Like Jaeger's clock-skew adjuster: a child of another service (another
// host clock) that does not fit in its parent is moved, with its subtree,
// by the smallest shift that makes it fit. A child longer than its parent
// cannot fit and is left alone, and so is one that would move further
// than `max_ns` (0 = no limit): it gets a warning in `refused`.
std::vector<std::pair<SpanId, SkewAdjustment>> AdjustSkew(AssembledTrace* t, uint64_t max_ns,
                                                          std::vector<std::pair<SpanId, std::string>>* refused) {
  std::vector<std::pair<SpanId, SkewAdjustment>> out;
  if (t->root < 0) return out;
  std::vector<int64_t> shift(t->spans.size(), 0);
  std::vector<bool> orphan(t->spans.size(), false);
  for (size_t i : t->orphans) orphan[i] = true;
  std::deque<size_t> q{static_cast<size_t>(t->root)};
  while (!q.empty()) {
    size_t p = q.front();
    q.pop_front();
    const StoredSpan& parent = t->spans[p];
    for (size_t c : t->children[p]) {
      StoredSpan& child = t->spans[c];
      shift[c] = shift[p];
      Shift(&child, shift[p]);
      q.push_back(c);
      if (orphan[c] || child.service == parent.service ||
          child.duration_ns > parent.duration_ns) {
        continue;
      }
      int64_t delta = 0;
      std::string reason;
      if (child.start_ns < parent.start_ns) {
        delta = static_cast<int64_t>(parent.start_ns - child.start_ns);
        reason = "child started before its parent (clock skew between services)";
      } else if (child.end_ns() > parent.end_ns()) {
        delta = -static_cast<int64_t>(child.end_ns() - parent.end_ns());
        reason = "child ended after its parent (clock skew between services)";
      }
      if (delta == 0) continue;
      uint64_t size = static_cast<uint64_t>(delta < 0 ? -delta : delta);
      if (max_ns != 0 && size > max_ns) {
        refused->push_back({child.span_id, "max clock skew adjustment of " + NsText(max_ns) +
                                               " exceeded; not applying the calculated " + NsText(size)});
        continue;
      }
      Shift(&child, delta);
      shift[c] += delta;
      out.push_back({child.span_id, SkewAdjustment{c, delta, reason}});
    }
  }
  return out;
}

}  // namespace

uint64_t AssembledTrace::start_ns() const noexcept {
  return spans.empty() ? 0 : spans.front().start_ns;
}

uint64_t AssembledTrace::end_ns() const noexcept {
  uint64_t end = 0;
  for (const auto& s : spans) end = std::max(end, s.end_ns());
  return end;
}

AssembledTrace AssembleTrace(std::vector<StoredSpan> spans, const AssembleOptions& options) {
  AssembledTrace t;
  SortSpans(&spans);
  // Duplicates (a batch re-sent after a timeout) keep the first copy.
  std::unordered_map<uint64_t, bool> seen;
  seen.reserve(spans.size());
  for (auto& s : spans) {
    if (seen.emplace(Key(s.span_id), true).second) t.spans.push_back(std::move(s));
  }
  if (!t.spans.empty()) t.trace_id = t.spans.front().trace_id;
  Link(&t);
  if (!options.adjust_clock_skew) return t;
  std::vector<std::pair<SpanId, std::string>> refused;
  auto adjusted = AdjustSkew(&t, options.max_clock_skew_ns, &refused);
  if (adjusted.empty() && refused.empty()) return t;
  // Shifts change the start order: sort and link again, then find the
  // adjusted spans' new positions.
  if (!adjusted.empty()) {
    SortSpans(&t.spans);
    Link(&t);
  }
  std::unordered_map<uint64_t, size_t> pos;
  for (size_t i = 0; i < t.spans.size(); ++i) pos.emplace(Key(t.spans[i].span_id), i);
  for (auto& [id, adj] : adjusted) {
    adj.span = pos[Key(id)];
    t.warnings[adj.span].push_back("clock skew adjusted by " + std::to_string(adj.delta_ns) + " ns");
    t.adjustments.push_back(std::move(adj));
  }
  for (auto& [id, text] : refused) t.warnings[pos[Key(id)]].push_back(std::move(text));
  return t;
}

}  // namespace callpath::query
