// Test support (header only): baselines of healthy synthetic traces and
// explain run on a built trace.
#pragma once

#include <functional>
#include <vector>

#include "analyze/baseline.h"
#include "analyze/explain.h"
#include "analyze/testing/call_tree.h"
#include "query/assembled_trace.h"
#include "store/stats_fold.h"

namespace callpath::analyze::testing {

// The baseline of `n` healthy builds of `tree`; `vary(k, tree)` may change
// the k-th copy first (an error that healthy traffic also has).
inline Baseline HealthyBaseline(const CallTree& tree, int n = 10,
                                const std::function<void(int, CallTree&)>& vary = {}) {
  std::vector<query::AssembledTrace> traces;
  std::vector<std::vector<store::StoredLog>> logs;
  for (int k = 0; k < n; ++k) {
    CallTree copy = tree;
    if (vary) vary(k, copy);
    Built b = Build(copy, static_cast<uint32_t>(100 + k));
    traces.push_back(query::AssembleTrace(std::move(b.spans)));
    logs.push_back(std::move(b.logs));
  }
  return BaselineFromTraces(traces, logs);
}

// The baseline the store's statistics would give after it ingested the
// same `n` healthy builds (each trace one batch, as an SDK exports it).
inline Baseline StatsBaseline(const CallTree& tree, int n = 10,
                              const std::function<void(int, CallTree&)>& vary = {}) {
  std::vector<store::OperationStats> ops;
  std::vector<store::LogTemplateStats> templates;
  for (int k = 0; k < n; ++k) {
    CallTree copy = tree;
    if (vary) vary(k, copy);
    Built b = Build(copy, static_cast<uint32_t>(200 + k));
    store::BatchStats s = store::FoldBatchStats(store::MakeIngestBatch(std::move(b.spans), std::move(b.logs)));
    ops.insert(ops.end(), s.operations.begin(), s.operations.end());
    templates.insert(templates.end(), s.log_templates.begin(), s.log_templates.end());
  }
  return BaselineFromStats(ops, templates, kT0 - 3'600'000 * kMs, kT0);
}

inline ExplainReport ExplainBuilt(const Built& b, const Baseline& baseline, bool adjust_skew = true) {
  query::AssembleOptions o;
  o.adjust_clock_skew = adjust_skew;
  return Explain(query::AssembleTrace(b.spans, o), b.logs, baseline);
}

// "service operation kind" of the first cause, for failure messages and checks.
inline std::string First(const ExplainReport& r) {
  if (r.causes.empty()) return "(no cause)";
  const Cause& c = r.causes.front();
  return c.service + " " + c.operation.value_or("(none)") + " " + CauseKindName(c.kind);
}

// Every cause, one per line, for failure messages.
inline std::string Describe(const ExplainReport& r) {
  std::string out = std::string(TraceVerdictName(r.status)) + ": " + r.summary + "\n";
  for (const auto& c : r.causes) {
    out += std::to_string(c.rank) + ". " + c.service + " " + c.operation.value_or("(none)") + " " +
           CauseKindName(c.kind) + " " + std::to_string(c.score) + " - " + c.summary + "\n";
    for (const auto& e : c.evidence) out += "     [" + e.type + "] " + e.text + "\n";
  }
  return out;
}

}  // namespace callpath::analyze::testing
