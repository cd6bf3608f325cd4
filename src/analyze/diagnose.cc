#include "analyze/diagnose.h"

#include <map>
#include <set>

#include "analyze/diagnose_rank.h"
#include "analyze/diagnose_shift.h"
#include "analyze/diagnose_signals.h"

namespace callpath::analyze {
namespace {

// Services with spans or logs in the baseline and none in the window.
std::set<std::string> SilentServices(const DiagnoseInput& input) {
  std::set<std::string> before, now;
  for (const auto& s : input.baseline_ops) before.insert(s.service);
  for (const auto& s : input.baseline_logs) before.insert(s.service);
  for (const auto& s : input.window_ops) now.insert(s.service);
  for (const auto& s : input.window_logs) now.insert(s.service);
  std::set<std::string> out;
  for (const auto& s : before) {
    if (!now.count(s)) out.insert(s);
  }
  return out;
}

std::string Summary(const Diagnosis& d) {
  if (d.window_spans == 0 && d.window_logs == 0) return "The window holds no spans and no log records.";
  std::string counted = FormatCount(static_cast<double>(d.window_spans)) + " spans and " +
                        FormatCount(static_cast<double>(d.window_logs)) + " log records";
  if (d.causes.empty()) {
    return "No significant change between the window and the baseline (" + counted + " in the window).";
  }
  const Cause& top = d.causes.front();
  std::string s = "Most likely cause: " + top.service + " (" + CauseKindName(top.kind) + "): " + top.summary + ".";
  if (!d.symptoms.empty()) s += " Seen at the entry points: " + d.symptoms.front().text + ".";
  return s;
}

// Silent services that the baseline's traces show being called through
// named calling spans (client spans), none of which is made any more.
std::set<std::string> AbandonedServices(const DiagnoseInput& input, const std::set<std::string>& silent) {
  std::set<std::pair<std::string, std::string>> calling_now;  // service, operation
  for (const auto& s : input.window_ops) {
    if (s.calls > 0) calling_now.insert({s.service, s.operation});
  }
  std::map<std::string, bool> still_called;  // silent service -> a caller still calls it
  for (const auto& g : input.baseline_gaps) {
    if (!silent.count(g.callee)) continue;
    still_called[g.callee] |= calling_now.count({g.caller, g.caller_operation}) > 0;
  }
  std::set<std::string> out;
  for (const auto& [service, called] : still_called) {
    if (!called) out.insert(service);
  }
  return out;
}

}  // namespace

TimeWindow DefaultBaseline(TimeWindow window) noexcept {
  uint64_t len = window.length_ns();
  return {window.start_ns > len ? window.start_ns - len : 0, window.start_ns};
}

Diagnosis DiagnoseWithQueries(const DiagnoseInput& input, const DiagnoseOptions& options,
                              std::vector<ExampleQuery>* queries) {
  // With nothing in the baseline, everything in the window would read as
  // new: a system that just started is not an incident.
  if (input.baseline_ops.empty() && input.baseline_logs.empty()) {
    Diagnosis d;
    d.window = input.window;
    d.baseline = input.baseline;
    for (const auto& s : input.window_ops) d.window_spans += s.calls;
    for (const auto& s : input.window_logs) d.window_logs += s.count;
    d.summary = d.window_spans == 0 && d.window_logs == 0
                    ? "The window holds no spans and no log records."
                    : "The baseline holds no spans and no log records: nothing to compare the window with; "
                      "give a baseline (baseline_start, baseline_end) from when the system was running.";
    return d;
  }
  Findings found;
  FindOperationShifts(input, &found);
  FindLogShifts(input, &found);
  FindEdgeShifts(input, &found);
  RankContext context{input.dependencies, SilentServices(input), {}};
  context.abandoned = AbandonedServices(input, context.silent);
  Diagnosis d;
  d.window = input.window;
  d.baseline = input.baseline;
  RankedCauses ranked = RankCauses(found.findings, context, options);
  d.causes = std::move(ranked.causes);
  if (queries) *queries = std::move(ranked.queries);
  d.symptoms = std::move(found.symptoms);
  for (const auto& s : input.window_ops) d.window_spans += s.calls;
  for (const auto& s : input.window_logs) d.window_logs += s.count;
  d.summary = Summary(d);
  return d;
}

Diagnosis Diagnose(const DiagnoseInput& input, const DiagnoseOptions& options) {
  return DiagnoseWithQueries(input, options, nullptr);
}

}  // namespace callpath::analyze
