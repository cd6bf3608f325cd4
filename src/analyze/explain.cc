// Explain: gathers the facts of one trace, runs each detector, ranks.
#include "analyze/explain.h"

#include "analyze/explain_facts.h"

namespace callpath::analyze {

const char* TraceVerdictName(TraceVerdict verdict) noexcept {
  switch (verdict) {
    case TraceVerdict::kOk: return "ok";
    case TraceVerdict::kSlow: return "slow";
    case TraceVerdict::kError: return "error";
  }
  return "ok";
}

ExplainReport Explain(const query::AssembledTrace& trace, const std::vector<store::StoredLog>& logs,
                      const Baseline& baseline, const ExplainOptions& options) {
  ExplainReport report;
  report.trace_id = trace.trace_id;
  report.baseline_start_ns = baseline.start_ns;
  report.baseline_end_ns = baseline.end_ns;
  report.reference_traces = baseline.reference_traces;
  for (const auto& adj : trace.adjustments) {
    const auto& s = trace.spans[adj.span];
    report.adjustments.push_back({s.span_id, s.service, s.operation, adj.delta_ns, adj.reason});
  }
  detail::TraceFacts facts = detail::GatherFacts(trace, logs, baseline);
  std::vector<detail::Candidate> candidates;
  detail::FindFailures(facts, &candidates);
  detail::FindMissingCallees(facts, &candidates);
  // Retries name the culprit found inside the failed attempt.
  std::vector<detail::Candidate> retries;
  detail::FindRetries(facts, candidates, &retries);
  detail::WeighRecoveredFailures(facts, retries, &candidates);
  for (auto& c : retries) candidates.push_back(std::move(c));
  detail::FindSlowSpans(facts, &candidates);
  detail::FindLogAnomalies(facts, &candidates);
  detail::RankCauses(facts, std::move(candidates), options, &report);
  return report;
}

}  // namespace callpath::analyze
