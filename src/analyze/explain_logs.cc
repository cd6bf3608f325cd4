// Faults only the logs show: a log line an operation always writes in
// healthy traces and did not write now, and error logs of services that
// left no span in the trace. (Error logs on a span whose status says
// nothing are failures: explain_errors.cc.)
#include <set>

#include "analyze/explain_facts.h"

namespace callpath::analyze::detail {

namespace {

// A template is "always there" when this share of the operation's spans
// in the reference traces wrote it (a few references may themselves be
// faulty), over at least this many spans.
constexpr double kAlwaysShare = 0.8;
constexpr uint32_t kMinReferenceSpans = 3;
constexpr double kMissingTemplateScore = 0.7;
constexpr double kHomelessErrorScore = 0.6;

}  // namespace

void FindLogAnomalies(const TraceFacts& f, std::vector<Candidate>* out) {
  const Baseline& b = f.baseline;
  for (size_t i = 0; i < f.trace.spans.size(); ++i) {
    const auto& s = f.trace.spans[i];
    OperationKey key = KeyOf(s);
    auto spans = b.reference_spans.find(key);
    auto presence = b.template_presence.find(key);
    if (spans == b.reference_spans.end() || presence == b.template_presence.end() ||
        spans->second < kMinReferenceSpans) {
      continue;
    }
    std::set<uint64_t> written;
    for (size_t k : f.spans[i].logs) written.insert(TemplateIdOf(f.logs[k]));
    for (const auto& [id, p] : presence->second) {
      double share = static_cast<double>(p.spans) / static_cast<double>(spans->second);
      if (share < kAlwaysShare || written.count(id)) continue;
      Candidate c;
      c.span = c.anchor = i;
      c.cause.service = s.service;
      c.cause.operation = s.operation;
      c.cause.span_id = s.span_id;
      c.cause.kind = CauseKind::kLog;
      c.cause.score = kMissingTemplateScore * std::min(1.0, share);
      c.cause.summary = SpanName(s) + " did not log \"" + p.text + "\", which it logs in " +
                        std::to_string(p.spans) + " of " + std::to_string(spans->second) +
                        " healthy spans";
      Evidence e;
      e.type = "baseline";
      e.span_id = s.span_id;
      e.observed = 0;
      e.expected = share;
      e.text = "log template \"" + p.text + "\" written by " + std::to_string(p.spans) + " of " +
               std::to_string(spans->second) + " healthy spans of " + SpanName(s) + "; missing from this one";
      c.cause.evidence.push_back(std::move(e));
      AddSpanEvidence(f, i, &c.cause.evidence);
      AddLogEvidence(f, i, 3, &c.cause.evidence);
      out->push_back(std::move(c));
    }
  }
  for (const auto& [service, logs] : f.homeless_logs) {
    size_t worst = kNone;
    for (size_t k : logs) {
      if (SeverityOf(f.logs[k]) >= kSeverityError && (worst == kNone || SeverityOf(f.logs[k]) > SeverityOf(f.logs[worst]))) {
        worst = k;
      }
    }
    if (worst == kNone) continue;
    Candidate c;
    c.cause.service = service;
    c.cause.kind = CauseKind::kLog;
    c.cause.score = kHomelessErrorScore;
    c.cause.summary = service + " logged an error in this trace but left no span: " + LogMessage(f.logs[worst]);
    c.cause.evidence.push_back(LogEvidence(f.logs[worst]));
    out->push_back(std::move(c));
  }
}

}  // namespace callpath::analyze::detail
