// Latency: spans that spent more time themselves than their own baseline
// allows, and services whose every operation got slower at once.
#include <algorithm>
#include <map>
#include <set>

#include "analyze/explain_facts.h"

namespace callpath::analyze::detail {

namespace {

constexpr double kSlowBase = 0.45;
constexpr double kSlowShare = 0.4;
// A trace that is not slow overall makes its slow parts less likely causes.
constexpr double kTraceNotSlow = 0.7;
// Spans slower than usual but within their spread: a weak hint each.
constexpr double kHintScore = 0.15;
constexpr size_t kMaxHints = 3;
// Several operations of one service slow together: the service.
constexpr double kServiceBonus = 0.05;

double Share(const TraceFacts& f, int64_t excess) {
  int64_t whole = std::max(f.trace_excess_ns, excess);
  return whole > 0 ? std::min(1.0, static_cast<double>(excess) / static_cast<double>(whole)) : 0.0;
}

double SlowScore(const TraceFacts& f, int64_t excess) {
  double score = kSlowBase + kSlowShare * Share(f, excess);
  return f.trace_slow ? score : score * kTraceNotSlow;
}

Candidate SlowSpan(const TraceFacts& f, size_t i, double score) {
  const auto& s = f.trace.spans[i];
  const SpanFacts& x = f.spans[i];
  Candidate c;
  c.span = c.anchor = i;
  c.cause.service = s.service;
  c.cause.operation = s.operation;
  c.cause.span_id = s.span_id;
  c.cause.kind = CauseKind::kLatency;
  c.cause.score = score;
  c.cause.summary = SpanName(s) + " spent " + FormatNs(static_cast<int64_t>(x.local_self_ns)) +
                    " in itself, " + FormatNs(x.own_excess_ns) + " more than its usual " +
                    FormatNs(static_cast<int64_t>(x.base->self_time.p50)) + " (p99 " +
                    FormatNs(static_cast<int64_t>(x.base->self_time.p99)) + ")";
  AddBaselineEvidence(f, i, &c.cause.evidence);
  AddSpanEvidence(f, i, &c.cause.evidence);
  AddLogEvidence(f, i, 2, &c.cause.evidence);
  return c;
}

// Every operation of a service slower at once (a noisy neighbour, a
// starved host): one cause for the service, named by its slowest part.
void FindSlowServices(const TraceFacts& f, std::vector<Candidate>* out) {
  struct Tally {
    std::set<std::string> judged, slow;
    int64_t excess = 0;
    size_t worst = kNone;
  };
  std::map<std::string, Tally> by_service;
  for (size_t i = 0; i < f.trace.spans.size(); ++i) {
    const SpanFacts& x = f.spans[i];
    if (!x.base || !x.missing_callee.empty()) continue;
    const auto& s = f.trace.spans[i];
    Tally& t = by_service[s.service];
    t.judged.insert(s.operation);
    if (!x.slow) continue;
    t.slow.insert(s.operation);
    t.excess += x.own_excess_ns;
    if (t.worst == kNone || x.own_excess_ns > f.spans[t.worst].own_excess_ns) t.worst = i;
  }
  for (const auto& [service, t] : by_service) {
    if (t.slow.size() < 2 || t.slow.size() * 2 < t.judged.size()) continue;
    Candidate c = SlowSpan(f, t.worst, std::min(1.0, SlowScore(f, t.excess) + kServiceBonus));
    c.cause.summary = std::to_string(t.slow.size()) + " of the " + std::to_string(t.judged.size()) +
                      " operations of " + service + " in this trace are slower than usual (" +
                      FormatNs(t.excess) + " beyond their baselines together): the service itself is slow; " +
                      "slowest: " + c.cause.summary;
    out->push_back(std::move(c));
  }
}

}  // namespace

void FindSlowSpans(const TraceFacts& f, std::vector<Candidate>* out) {
  std::vector<size_t> hints;
  for (size_t i = 0; i < f.trace.spans.size(); ++i) {
    const SpanFacts& x = f.spans[i];
    // A call whose callee left no span: its time is the missing callee's.
    if (!x.base || x.own_excess_ns <= 0 || !x.missing_callee.empty()) continue;
    if (x.slow) {
      out->push_back(SlowSpan(f, i, SlowScore(f, x.own_excess_ns)));
    } else {
      hints.push_back(i);
    }
  }
  std::sort(hints.begin(), hints.end(),
            [&](size_t a, size_t b) { return f.spans[a].own_excess_ns > f.spans[b].own_excess_ns; });
  for (size_t k = 0; k < hints.size() && k < kMaxHints; ++k) {
    out->push_back(SlowSpan(f, hints[k], kHintScore * Share(f, f.spans[hints[k]].own_excess_ns)));
  }
  FindSlowServices(f, out);
}

}  // namespace callpath::analyze::detail
