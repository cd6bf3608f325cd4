// Failures: where an error was raised (not where it merely passed through),
// and the timeouts and vanished callees behind a failed call.
#include <algorithm>
#include <numeric>

#include "analyze/explain_facts.h"

namespace callpath::analyze::detail {

namespace {

constexpr double kErrorScore = 0.9;
constexpr double kLogErrorScore = 0.8;
constexpr double kTimeoutScore = 0.95;
constexpr double kMissingScore = 0.93;

// A failure that counts: not one the baseline shows as usual, or an
// error log the span does not usually write.
bool Failing(const SpanFacts& x) {
  return (x.failed && !x.failure_expected) || x.unusual_error_log != kNone;
}

// 1 for an error never seen in the baseline, falling to a tenth for one
// that a third or more of the baseline's calls also had (still listed, so
// a reader sees it was considered).
double Novelty(const SpanFacts& x) {
  if (!x.base || x.base->calls < 5) return 1.0;
  return std::max(0.1, 1.0 - 3.0 * x.base->error_rate());
}

// Whether a failure sits somewhere below each span.
std::vector<bool> FailureBelow(const TraceFacts& f) {
  const auto& t = f.trace;
  std::vector<size_t> order(t.spans.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return t.depth[a] > t.depth[b]; });
  std::vector<bool> below(t.spans.size(), false);
  for (size_t i : order) {
    if (t.parent[i] < 0) continue;
    auto p = static_cast<size_t>(t.parent[i]);
    if (below[i] || Failing(f.spans[i]) || !f.spans[i].missing_callee.empty()) below[p] = true;
  }
  return below;
}

size_t FailingAncestors(const TraceFacts& f, size_t i) {
  size_t n = 0;
  for (int p = f.trace.parent[i]; p >= 0; p = f.trace.parent[static_cast<size_t>(p)]) {
    if (Failing(f.spans[static_cast<size_t>(p)])) ++n;
    if (n > f.trace.spans.size()) break;
  }
  return n;
}

// The part of the callee's subtree (from span `top`) that spent the most
// time beyond its baseline; `top` itself when nothing did.
size_t SlowestBelow(const TraceFacts& f, size_t top) {
  size_t best = top;
  int64_t best_excess = f.spans[top].own_excess_ns;
  std::vector<size_t> stack{top};
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    if (f.spans[i].own_excess_ns > best_excess) best = i, best_excess = f.spans[i].own_excess_ns;
    for (size_t c : f.trace.children[i]) stack.push_back(c);
  }
  return best;
}

void AddHomelessLogs(const TraceFacts& f, const std::string& service, size_t max, std::vector<Evidence>* out) {
  for (const auto& [svc, logs] : f.homeless_logs) {
    if (svc != service) continue;
    std::vector<size_t> sorted = logs;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](size_t a, size_t b) { return SeverityOf(f.logs[a]) > SeverityOf(f.logs[b]); });
    for (size_t k = 0; k < sorted.size() && k < max; ++k) out->push_back(LogEvidence(f.logs[sorted[k]]));
  }
}

Candidate MissingCallee(const TraceFacts& f, size_t client) {
  const auto& s = f.trace.spans[client];
  const SpanFacts& x = f.spans[client];
  Candidate c;
  c.anchor = client;
  c.cause.service = x.missing_callee;
  c.cause.kind = x.timed_out ? CauseKind::kTimeout : CauseKind::kMissingSpan;
  c.cause.score = kMissingScore;
  c.cause.summary = x.missing_callee + " left no span: " + SpanName(s) + " called it and failed (" + x.failure +
                    ")" + (x.timed_out ? " waiting for it" : "") + "; " + x.missing_callee +
                    " crashed, hung or lost its spans";
  AddSpanEvidence(f, client, &c.cause.evidence);
  Evidence e;
  e.type = "span";
  e.span_id = s.span_id;
  e.text = "no span of " + x.missing_callee + " below " + SpanName(s) + ", where the baseline has one";
  c.cause.evidence.push_back(std::move(e));
  AddHomelessLogs(f, x.missing_callee, 3, &c.cause.evidence);
  AddLogEvidence(f, client, 2, &c.cause.evidence);
  return c;
}

Candidate Timeout(const TraceFacts& f, size_t client, size_t callee) {
  const auto& s = f.trace.spans[client];
  size_t culprit = SlowestBelow(f, callee);
  const auto& u = f.trace.spans[culprit];
  Candidate c;
  c.span = culprit;
  c.anchor = client;
  c.cause.service = u.service;
  c.cause.operation = u.operation;
  c.cause.span_id = u.span_id;
  c.cause.kind = CauseKind::kTimeout;
  c.cause.score = kTimeoutScore;
  const auto& callee_span = f.trace.spans[callee];
  if (client == callee) {
    c.cause.summary = SpanName(s) + " failed (" + f.spans[client].failure + ") while " + SpanName(u) + " ran " +
                      FormatNs(static_cast<int64_t>(u.duration_ns)) + ", " +
                      FormatNs(f.spans[culprit].own_excess_ns) + " beyond its usual time";
  } else {
    c.cause.summary = s.service + " gave up on " + callee_span.service + " after " +
                      FormatNs(static_cast<int64_t>(s.duration_ns)) + " (" + f.spans[client].failure + "); " +
                      SpanName(u) + " ran " + FormatNs(static_cast<int64_t>(u.duration_ns)) +
                      (callee_span.duration_ns > s.duration_ns ? ", past the caller's deadline" : "");
  }
  AddSpanEvidence(f, culprit, &c.cause.evidence);
  AddBaselineEvidence(f, culprit, &c.cause.evidence);
  AddSpanEvidence(f, client, &c.cause.evidence);
  if (callee != culprit) AddSpanEvidence(f, callee, &c.cause.evidence);
  AddLogEvidence(f, culprit, 3, &c.cause.evidence);
  return c;
}

Candidate RaisedHere(const TraceFacts& f, size_t i) {
  const auto& s = f.trace.spans[i];
  const SpanFacts& x = f.spans[i];
  Candidate c;
  c.span = c.anchor = i;
  c.cause.service = s.service;
  c.cause.operation = s.operation;
  c.cause.span_id = s.span_id;
  size_t above = FailingAncestors(f, i);
  std::string spread = above ? "; the failure propagated up through " + std::to_string(above) +
                                   (above == 1 ? " span" : " spans")
                             : "";
  if (x.failed) {
    c.cause.kind = CauseKind::kError;
    c.cause.score = kErrorScore * Novelty(x);
    c.cause.summary = SpanName(s) + " failed: " + x.failure + spread;
    if (x.failure_expected) c.cause.summary += " (it fails as often in the baseline: usual traffic)";
  } else {
    c.cause.kind = CauseKind::kLog;
    c.cause.score = kLogErrorScore;
    c.cause.summary = SpanName(s) + " logged an error although its span reports none: " +
                      LogMessage(f.logs[x.unusual_error_log]) + spread;
  }
  AddSpanEvidence(f, i, &c.cause.evidence);
  if (x.unusual_error_log != kNone) c.cause.evidence.push_back(LogEvidence(f.logs[x.unusual_error_log]));
  AddLogEvidence(f, i, 3, &c.cause.evidence);
  AddBaselineEvidence(f, i, &c.cause.evidence);
  return c;
}

}  // namespace

void FindFailures(const TraceFacts& f, std::vector<Candidate>* out) {
  const auto& t = f.trace;
  std::vector<bool> below = FailureBelow(f);
  for (size_t i = 0; i < t.spans.size(); ++i) {
    const SpanFacts& x = f.spans[i];
    bool failing = Failing(x);
    if (!failing && !x.failed) continue;
    if (below[i]) continue;  // raised further down
    if (!failing) {  // a usual failure: listed, ranked low
      out->push_back(RaisedHere(f, i));
      continue;
    }
    if (!x.missing_callee.empty()) {
      out->push_back(MissingCallee(f, i));
      continue;
    }
    auto remote = RemoteChildren(t, i);
    auto late = std::find_if(remote.begin(), remote.end(),
                             [&](size_t c) { return t.spans[c].duration_ns > t.spans[i].duration_ns; });
    if (x.failed && !remote.empty() && (x.timed_out || late != remote.end())) {
      out->push_back(Timeout(f, i, late != remote.end() ? *late : remote.front()));
      continue;
    }
    // Cancelled or timed out while something below it was slow: that part
    // is what the deadline caught.
    if (x.timed_out) {
      size_t slowest = SlowestBelow(f, i);
      if (slowest != i && f.spans[slowest].slow) {
        out->push_back(Timeout(f, i, i));
        continue;
      }
    }
    out->push_back(RaisedHere(f, i));
  }
}

}  // namespace callpath::analyze::detail
