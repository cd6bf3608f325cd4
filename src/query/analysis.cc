// Critical path, self time and root-cause ranking over an assembled trace.
#include <algorithm>

#include "query/assembled_trace.h"

namespace callpath::query {

namespace {

// Deep enough for any real trace; stops a pathological chain from
// exhausting the stack.
constexpr size_t kMaxDepth = 4096;

void Walk(const AssembledTrace& t, size_t span, uint64_t until, size_t depth,
          std::vector<CriticalSegment>* out) {
  const auto& s = t.spans[span];
  uint64_t point = std::min(s.end_ns(), until);
  if (point < s.start_ns) return;
  if (depth < kMaxDepth) {
    std::vector<size_t> kids = t.children[span];
    std::sort(kids.begin(), kids.end(), [&](size_t a, size_t b) {
      return t.spans[a].end_ns() > t.spans[b].end_ns();
    });
    for (size_t c : kids) {
      const auto& k = t.spans[c];
      // A child that starts at or after the point is not what we waited on
      // at the point; one that started before it (and, sorted by end, ends
      // latest) is.
      if (k.start_ns >= point || k.end_ns() <= s.start_ns) continue;
      uint64_t child_end = std::min(k.end_ns(), point);
      if (child_end < point) out->push_back({span, child_end, point});
      Walk(t, c, child_end, depth + 1, out);
      point = std::max(k.start_ns, s.start_ns);
      if (point <= s.start_ns) break;
    }
  }
  if (point > s.start_ns) out->push_back({span, s.start_ns, point});
}

}  // namespace

std::vector<CriticalSegment> CriticalPath(const AssembledTrace& t) {
  std::vector<CriticalSegment> out;
  if (t.root < 0) return out;
  auto root = static_cast<size_t>(t.root);
  Walk(t, root, t.spans[root].end_ns(), 0, &out);
  std::reverse(out.begin(), out.end());  // collected from the end backwards
  return out;
}

std::vector<uint64_t> SelfTimes(const AssembledTrace& t) {
  std::vector<uint64_t> self(t.spans.size(), 0);
  std::vector<std::pair<uint64_t, uint64_t>> iv;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    const auto& s = t.spans[i];
    iv.clear();
    for (size_t c : t.children[i]) {
      uint64_t a = std::max(t.spans[c].start_ns, s.start_ns);
      uint64_t b = std::min(t.spans[c].end_ns(), s.end_ns());
      if (a < b) iv.emplace_back(a, b);
    }
    std::sort(iv.begin(), iv.end());
    uint64_t covered = 0, cur_a = 0, cur_b = 0;
    bool open = false;
    for (auto [a, b] : iv) {
      if (open && a <= cur_b) {
        cur_b = std::max(cur_b, b);
      } else {
        if (open) covered += cur_b - cur_a;
        cur_a = a, cur_b = b, open = true;
      }
    }
    if (open) covered += cur_b - cur_a;
    self[i] = s.duration_ns - std::min(covered, s.duration_ns);
  }
  return self;
}

RootCauseReport RankRootCauses(const AssembledTrace& t) {
  RootCauseReport r;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (!t.spans[i].is_error()) continue;
    bool erroring_child = false;
    for (size_t c : t.children[i]) erroring_child |= t.spans[c].is_error();
    RootCauseCandidate c;
    c.span = i;
    // Origins (no erroring child) rank above every propagated error; within
    // each group deeper spans rank higher.
    c.score = (erroring_child ? 0.0 : 1.0e6) + static_cast<double>(t.depth[i]);
    c.reason = erroring_child ? "error propagated from a child span"
                              : "erroring span whose children do not error: likely origin";
    r.errors.push_back(std::move(c));
  }
  std::stable_sort(r.errors.begin(), r.errors.end(),
                   [](const auto& a, const auto& b) { return a.score > b.score; });

  auto self = SelfTimes(t);
  uint64_t total = t.spans.empty() ? 0 : t.end_ns() - t.start_ns();
  std::vector<size_t> order(t.spans.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return self[a] > self[b]; });
  for (size_t k = 0; k < order.size() && k < 10; ++k) {
    size_t i = order[k];
    if (self[i] == 0) break;
    RootCauseCandidate c;
    c.span = i;
    c.score = total ? static_cast<double>(self[i]) / static_cast<double>(total) : 0;
    c.reason = "self time " + std::to_string(self[i] / 1000) + " us";
    r.slow.push_back(std::move(c));
  }
  return r;
}

}  // namespace callpath::query
