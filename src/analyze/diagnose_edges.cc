#include "analyze/diagnose_edges.h"

#include <algorithm>
#include <map>
#include <set>

#include "analyze/diagnose_shift.h"
#include "analyze/diagnose_signals.h"

namespace callpath::analyze {
namespace {

using Edge = std::pair<std::string, std::string>;  // caller, callee

struct EdgeShift {
  Edge edge;
  LatencyShift shift;
  double strength = 0;
};

std::map<Edge, store::LatencySketch> Sketches(const std::vector<EdgeGapSample>& samples) {
  std::map<Edge, store::LatencySketch> out;
  for (const auto& s : samples) out[{s.caller, s.callee}].Add(s.gap_ns);
  return out;
}

std::string EdgeText(const EdgeShift& e) {
  return std::string(e.shift.quantile >= 0.9 ? "p90" : "p50") + " of the time calls from " + e.edge.first + " to " +
         e.edge.second + " spend between the two services (the caller's span minus " + e.edge.second +
         "'s) rose from " + FormatNs(static_cast<double>(e.shift.before_ns)) + " to " +
         FormatNs(static_cast<double>(e.shift.after_ns));
}

}  // namespace

bool IsCallingSpan(const query::AssembledTrace& trace, size_t i) {
  const store::StoredSpan& s = trace.spans[i];
  if (s.kind == store::SpanKind::kClient) return true;
  if (s.kind != store::SpanKind::kUnspecified || trace.children[i].empty()) return false;
  int p = trace.parent[i];
  if (p < 0 || trace.spans[static_cast<size_t>(p)].service != s.service) return false;
  for (size_t c : trace.children[i]) {
    if (trace.spans[c].service == s.service) return false;
  }
  return true;
}

void CollectEdgeGaps(const query::AssembledTrace& trace, std::vector<EdgeGapSample>* out) {
  for (size_t i = 0; i < trace.spans.size(); ++i) {
    const store::StoredSpan& caller = trace.spans[i];
    if (!IsCallingSpan(trace, i)) continue;
    for (size_t c : trace.children[i]) {
      const store::StoredSpan& callee = trace.spans[c];
      if (callee.service == caller.service || trace.parent[c] != static_cast<int>(i)) continue;
      uint64_t gap = caller.duration_ns > callee.duration_ns ? caller.duration_ns - callee.duration_ns : 0;
      out->push_back({caller.service, callee.service, caller.operation, gap});
    }
  }
}

void CollectDirectCallerSelfTimes(const query::AssembledTrace& trace, std::vector<SelfTimeSample>* out) {
  std::vector<uint64_t> self;
  for (size_t i = 0; i < trace.spans.size(); ++i) {
    const store::StoredSpan& s = trace.spans[i];
    if (s.kind == store::SpanKind::kProducer || IsCallingSpan(trace, i)) continue;
    bool calls_out = false;
    for (size_t c : trace.children[i]) calls_out |= trace.spans[c].service != s.service;
    if (!calls_out) continue;
    if (self.empty()) self = query::SelfTimes(trace);
    out->push_back({s.service, s.operation, self[i]});
  }
}

void FindEdgeShifts(const DiagnoseInput& input, Findings* out) {
  auto base = Sketches(input.baseline_gaps);
  auto win = Sketches(input.window_gaps);
  std::map<std::string, std::set<Edge>> edges_of;  // service -> its edges seen in the window
  std::map<std::string, std::vector<EdgeShift>> widened_of;
  for (const auto& [edge, sketch] : win) {
    edges_of[edge.first].insert(edge);
    edges_of[edge.second].insert(edge);
    auto b = base.find(edge);
    if (b == base.end()) continue;
    EdgeShift e{edge, CompareLatency(b->second, sketch), 0};
    if (e.shift.effect <= 0) continue;
    e.strength = Strength(e.shift.effect, 0.5, 1.5);
    if (e.strength <= 0) continue;
    widened_of[edge.first].push_back(e);
    widened_of[edge.second].push_back(e);
  }
  // A delayed network interface slows every call into and out of its
  // service, while a caller of it has other calls that stay fast: the
  // service most of whose edges widened is the one to blame. Of the two
  // ends of a single widened edge the callee is named (a delay on the
  // callee's side also slows the answers of every other caller).
  for (auto& [service, widened] : widened_of) {
    std::sort(widened.begin(), widened.end(),
              [](const EdgeShift& a, const EdgeShift& b) { return a.strength > b.strength; });
    double share = static_cast<double>(widened.size()) / static_cast<double>(edges_of[service].size());
    const EdgeShift& top = widened.front();
    bool callee = top.edge.second == service;
    Finding f;
    f.service = service;
    f.kind = CauseKind::kLatency;
    f.family = SignalFamily::kLatency;
    f.strength = top.strength * (0.7 + 0.3 * share) * (callee ? 1.0 : 0.9);
    f.summary = "time lost between services around " + service + ": " + EdgeText(top) + " (" +
                std::to_string(widened.size()) + " of its " + std::to_string(edges_of[service].size()) +
                " service pairs slower)";
    for (size_t i = 0; i < widened.size() && i < 3; ++i) {
      Evidence e;
      e.type = "span";
      e.text = EdgeText(widened[i]);
      e.observed = static_cast<double>(widened[i].shift.after_ns);
      e.expected = static_cast<double>(widened[i].shift.before_ns);
      f.evidence.push_back(std::move(e));
    }
    out->findings.push_back(std::move(f));
  }
}

}  // namespace callpath::analyze
