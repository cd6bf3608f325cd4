// Ranking: candidates that only echo a failure found below them step back,
// candidates naming the same (service, operation) become one cause, clock
// skew is told where it touched a cause, and the trace gets its verdict.
#include <algorithm>
#include <map>
#include <set>

#include "analyze/explain_facts.h"

namespace callpath::analyze::detail {

namespace {

// A candidate this strong below another makes the one above an echo.
constexpr double kStrongBelow = 0.5;
constexpr double kEchoFactor = 0.5;
constexpr size_t kMaxEvidence = 12;
// A verdict is "error" / "slow" on a first cause at least this likely.
constexpr double kVerdictScore = 0.5;

bool Explains(CauseKind k) {
  return k == CauseKind::kError || k == CauseKind::kLog || k == CauseKind::kTimeout ||
         k == CauseKind::kMissingSpan || k == CauseKind::kRetries;
}

// Errors and log findings above a stronger finding further down repeat it.
void DemoteEchoes(const TraceFacts& f, std::vector<Candidate>* cands) {
  const auto& t = f.trace;
  std::vector<bool> strong_below(t.spans.size(), false);
  for (const auto& c : *cands) {
    if (c.anchor == kNone || c.cause.score < kStrongBelow || !Explains(c.cause.kind)) continue;
    size_t steps = 0;
    for (int p = t.parent[c.anchor]; p >= 0 && !strong_below[static_cast<size_t>(p)] && steps <= t.spans.size();
         p = t.parent[static_cast<size_t>(p)], ++steps) {
      strong_below[static_cast<size_t>(p)] = true;
    }
  }
  for (auto& c : *cands) {
    bool echo_kind = c.cause.kind == CauseKind::kError || c.cause.kind == CauseKind::kLog;
    if (echo_kind && c.span != kNone && strong_below[c.span]) c.cause.score *= kEchoFactor;
  }
}

void AddSkewEvidence(const TraceFacts& f, std::vector<Candidate>* cands) {
  const auto& t = f.trace;
  for (auto& c : *cands) {
    size_t at = c.span != kNone ? c.span : c.anchor;
    if (at == kNone) continue;
    for (const auto& adj : t.adjustments) {
      if (!IsAncestorOrSelf(t, adj.span, at)) continue;
      const auto& s = t.spans[adj.span];
      Evidence e;
      e.type = "skew";
      e.span_id = s.span_id;
      e.observed = static_cast<double>(adj.delta_ns);
      e.text = "clock skew: " + SpanName(s) + " and the spans below it were shifted by " + FormatNs(adj.delta_ns) +
               " (" + adj.reason + "); durations are unchanged";
      c.cause.evidence.push_back(std::move(e));
    }
  }
}

std::vector<Candidate> Merge(std::vector<Candidate> cands) {
  std::map<std::pair<std::string, std::string>, size_t> index;
  std::vector<Candidate> merged;
  // Strongest first, so that each merged cause keeps its strongest reading.
  std::stable_sort(cands.begin(), cands.end(),
                   [](const Candidate& a, const Candidate& b) { return a.cause.score > b.cause.score; });
  for (auto& c : cands) {
    auto key = std::make_pair(c.cause.service, c.cause.operation.value_or(std::string("\x01none")));
    auto [it, added] = index.emplace(key, merged.size());
    if (added) {
      merged.push_back(std::move(c));
      continue;
    }
    auto& into = merged[it->second].cause.evidence;
    std::set<std::string> seen;
    for (const auto& e : into) seen.insert(e.text);
    for (auto& e : c.cause.evidence) {
      if (into.size() >= kMaxEvidence) break;
      if (seen.insert(e.text).second) into.push_back(std::move(e));
    }
  }
  for (auto& c : merged) {
    // A detector may quote the same line twice (the error log that made
    // the span fail is also among its log lines).
    std::set<std::string> seen;
    std::erase_if(c.cause.evidence, [&](const Evidence& e) { return !seen.insert(e.type + e.text).second; });
    if (c.cause.evidence.size() > kMaxEvidence) c.cause.evidence.resize(kMaxEvidence);
  }
  return merged;
}

// Skew that touched no cause is still told, on the first one: a reader
// seeing shifted spans should know they were not blamed for it.
void TellUntouchedSkew(const TraceFacts& f, ExplainReport* r) {
  if (r->causes.empty() || f.trace.adjustments.empty()) return;
  for (const auto& e : r->causes.front().evidence) {
    if (e.type == "skew") return;
  }
  std::set<std::string> services;
  for (const auto& adj : f.trace.adjustments) services.insert(f.trace.spans[adj.span].service);
  const auto& first = f.trace.adjustments.front();
  Evidence e;
  e.type = "skew";
  e.span_id = f.trace.spans[first.span].span_id;
  e.observed = static_cast<double>(first.delta_ns);
  std::string names;
  for (const auto& s : services) names += (names.empty() ? "" : ", ") + s;
  e.text = "clock skew elsewhere: the spans of " + names + " were shifted (by " + FormatNs(first.delta_ns) +
           " first) to fit their callers; their durations, which explain compares, are unaffected, and they "
           "are not blamed for it";
  r->causes.front().evidence.push_back(std::move(e));
}

void WriteVerdict(const TraceFacts& f, ExplainReport* r) {
  const Cause* top = r->causes.empty() ? nullptr : &r->causes.front();
  bool strong = top && top->score >= kVerdictScore;
  bool failing_kind = top && (top->kind == CauseKind::kError || top->kind == CauseKind::kLog ||
                              top->kind == CauseKind::kTimeout || top->kind == CauseKind::kMissingSpan);
  if (f.root_failed || (strong && failing_kind)) {
    r->status = TraceVerdict::kError;
  } else if (f.trace_slow || strong) {
    r->status = TraceVerdict::kSlow;
  } else {
    r->status = TraceVerdict::kOk;
  }
  if (r->status != TraceVerdict::kOk && top) {
    r->summary = top->summary;
    if (top->summary.empty() || top->summary.back() != '.') r->summary += ".";
    return;
  }
  r->summary = f.trace.spans.empty()
                   ? "The trace has no spans."
                   : "Nothing stands out: no failure, and no span is slower than its baseline allows.";
}

}  // namespace

void RankCauses(const TraceFacts& f, std::vector<Candidate> cands, const ExplainOptions& options,
                ExplainReport* r) {
  DemoteEchoes(f, &cands);
  AddSkewEvidence(f, &cands);
  std::vector<Candidate> merged = Merge(std::move(cands));
  const auto& t = f.trace;
  std::stable_sort(merged.begin(), merged.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.cause.score != b.cause.score) return a.cause.score > b.cause.score;
    size_t da = a.span != kNone ? t.depth[a.span] : a.anchor != kNone ? t.depth[a.anchor] + 1 : 0;
    size_t db = b.span != kNone ? t.depth[b.span] : b.anchor != kNone ? t.depth[b.anchor] + 1 : 0;
    return da > db;  // deeper first: nearer to where it started
  });
  for (auto& c : merged) {
    if (c.cause.score < options.min_score || r->causes.size() >= options.max_causes) break;
    c.cause.score = std::clamp(c.cause.score, 0.0, 1.0);
    c.cause.rank = static_cast<int>(r->causes.size()) + 1;
    r->causes.push_back(std::move(c.cause));
  }
  TellUntouchedSkew(f, r);
  WriteVerdict(f, r);
}

}  // namespace callpath::analyze::detail
