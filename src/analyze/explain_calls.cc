// Calls between services: callees that left no span although nothing
// failed, and calls retried until they succeeded.
#include <algorithm>
#include <map>
#include <tuple>

#include "analyze/explain_facts.h"
#include "analyze/span_signals.h"

namespace callpath::analyze::detail {

namespace {

constexpr double kMissingInFailedTrace = 0.9;
constexpr double kMissingQuietly = 0.6;
constexpr double kRetriesScore = 0.92;
constexpr double kFullWeightShare = 0.25;
constexpr double kMinRetryWeight = 0.1;

bool AnyAncestorFailed(const TraceFacts& f, size_t i) {
  size_t steps = 0;
  for (int p = f.trace.parent[i]; p >= 0 && steps <= f.trace.spans.size(); p = f.trace.parent[static_cast<size_t>(p)], ++steps) {
    const SpanFacts& x = f.spans[static_cast<size_t>(p)];
    if (x.failed || x.unusual_error_log != kNone) return true;
  }
  return false;
}

// Whether an attempt at a call failed: itself, or anything below it.
bool AttemptFailed(const TraceFacts& f, size_t attempt) {
  std::vector<size_t> stack{attempt};
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    const SpanFacts& x = f.spans[i];
    if ((x.failed && !x.failure_expected) || x.unusual_error_log != kNone || !x.missing_callee.empty()) return true;
    for (size_t c : f.trace.children[i]) stack.push_back(c);
  }
  return false;
}

// The cause found inside a failed attempt (the best-scoring candidate
// anchored in its subtree), or the attempt's callee.
Candidate CulpritOf(const TraceFacts& f, size_t attempt, const std::vector<Candidate>& found) {
  const Candidate* best = nullptr;
  for (const auto& c : found) {
    if (c.anchor == kNone || !IsAncestorOrSelf(f.trace, attempt, c.anchor)) continue;
    if (!best || c.cause.score > best->cause.score) best = &c;
  }
  Candidate out;
  if (best) {
    out.span = best->span;
    out.cause.service = best->cause.service;
    out.cause.operation = best->cause.operation;
    out.cause.span_id = best->cause.span_id;
    out.cause.evidence = best->cause.evidence;
    return out;
  }
  auto remote = RemoteChildren(f.trace, attempt);
  size_t blamed = remote.empty() ? attempt : remote.front();
  const auto& s = f.trace.spans[blamed];
  out.span = blamed;
  out.cause.service = s.service;
  out.cause.operation = s.operation;
  out.cause.span_id = s.span_id;
  AddSpanEvidence(f, blamed, &out.cause.evidence);
  return out;
}

}  // namespace

void FindMissingCallees(const TraceFacts& f, std::vector<Candidate>* out) {
  for (size_t i = 0; i < f.trace.spans.size(); ++i) {
    const SpanFacts& x = f.spans[i];
    if (x.missing_callee.empty() || x.failed) continue;  // failed calls: FindFailures
    const auto& s = f.trace.spans[i];
    Candidate c;
    c.anchor = i;
    c.cause.service = x.missing_callee;
    c.cause.kind = CauseKind::kMissingSpan;
    bool failed_trace = f.root_failed || AnyAncestorFailed(f, i);
    c.cause.score = failed_trace ? kMissingInFailedTrace : kMissingQuietly;
    c.cause.summary = x.missing_callee + " left no span below " + SpanName(s) + ", which took " +
                      FormatNs(static_cast<int64_t>(s.duration_ns)) + "; the baseline has one there";
    AddSpanEvidence(f, i, &c.cause.evidence);
    AddBaselineEvidence(f, i, &c.cause.evidence);
    AddLogEvidence(f, i, 2, &c.cause.evidence);
    out->push_back(std::move(c));
  }
}

void FindRetries(const TraceFacts& f, const std::vector<Candidate>& found, std::vector<Candidate>* out) {
  if (f.root_failed) return;  // retries that did not save the request are not its story
  const auto& t = f.trace;
  for (size_t p = 0; p < t.spans.size(); ++p) {
    // The calls this span made, grouped by what they called.
    std::map<std::tuple<std::string, std::string, int, std::string>, std::vector<size_t>> calls;
    for (size_t c : t.children[p]) {
      const auto& s = t.spans[c];
      if (s.kind != store::SpanKind::kClient && s.kind != store::SpanKind::kProducer) continue;
      calls[{s.service, s.operation, static_cast<int>(s.kind), PeerOf(s)}].push_back(c);
    }
    for (const auto& [key, attempts] : calls) {
      if (attempts.size() < 2 || AttemptFailed(f, attempts.back())) continue;
      auto first_failed = std::find_if(attempts.begin(), attempts.end() - 1,
                                       [&](size_t a) { return AttemptFailed(f, a); });
      if (first_failed == attempts.end() - 1) continue;
      uint64_t lost = 0;
      size_t failed_count = 0;
      for (size_t a : attempts) {
        if (a != attempts.back() && AttemptFailed(f, a)) lost += t.spans[a].duration_ns, ++failed_count;
      }
      Candidate c = CulpritOf(f, *first_failed, found);
      c.anchor = *first_failed;
      c.cause.kind = CauseKind::kRetries;
      // A retry that cost the request little (a stale pooled connection
      // reset and retried in microseconds) is not why the trace was slow:
      // full weight from a quarter of the trace's time lost.
      uint64_t total = t.end_ns() > t.start_ns() ? t.end_ns() - t.start_ns() : 0;
      double share = total ? static_cast<double>(lost) / static_cast<double>(total) : 1.0;
      c.cause.score = kRetriesScore * std::clamp(share / kFullWeightShare, kMinRetryWeight, 1.0);
      const auto& call = t.spans[*first_failed];
      std::string callee = c.cause.operation ? c.cause.service + " " + *c.cause.operation : c.cause.service;
      c.cause.summary = SpanName(call) + " was tried " + std::to_string(attempts.size()) + " times: " +
                        std::to_string(failed_count) + (failed_count == 1 ? " attempt" : " attempts") +
                        " failed in " + callee + " before one succeeded, costing " +
                        FormatNs(static_cast<int64_t>(lost)) + " of the trace's " +
                        FormatNs(static_cast<int64_t>(t.end_ns() - t.start_ns()));
      Evidence e;
      e.type = "span";
      e.span_id = call.span_id;
      e.observed = static_cast<double>(lost);
      e.text = "attempt 1 of " + SpanName(call) + " failed after " + FormatNs(static_cast<int64_t>(call.duration_ns)) +
               (f.spans[*first_failed].failure.empty() ? "" : ": " + f.spans[*first_failed].failure);
      c.cause.evidence.insert(c.cause.evidence.begin(), std::move(e));
      out->push_back(std::move(c));
    }
  }
}

void WeighRecoveredFailures(const TraceFacts& f, const std::vector<Candidate>& retries,
                            std::vector<Candidate>* found) {
  for (const auto& r : retries) {
    double weight = r.cause.score / kRetriesScore;
    if (weight >= 1.0 || r.anchor == kNone) continue;
    for (auto& c : *found) {
      if (c.anchor != kNone && IsAncestorOrSelf(f.trace, r.anchor, c.anchor)) c.cause.score *= weight;
    }
  }
}

}  // namespace callpath::analyze::detail
