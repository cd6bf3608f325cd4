// Ranking diagnose's findings into causes, over the service call graph.
//
// A fault propagates to the callers of the service that has it: they get
// slower, fail and log errors too. So each service's score (the findings
// of its own behaviour combined; symptoms a callee may have caused count
// less) is discounted by how much of it the services it calls, directly or
// not, already show; calls that stopped are the reverse: a service whose
// callers also stopped calling is explained by them. What remains ranks
// the deepest service whose own behaviour shifted first.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "analyze/cause.h"
#include "analyze/diagnose.h"
#include "analyze/diagnose_signals.h"

namespace callpath::analyze {

// Causes from `findings`, most likely first, ranks from 1, at most
// options.max_causes, none scoring below options.min_score, only services
// within options.service's reach when it is set. Example traces are left
// empty; the returned `queries` (parallel to the causes) say where to find
// them.
struct RankedCauses {
  std::vector<Cause> causes;
  std::vector<ExampleQuery> queries;
};
// The call graph, and the services that fell silent: spans or logs in the
// baseline, none in the window (crashed, or no longer called). A silent
// service explains its callers' failures; one that merely gets fewer calls
// is more likely the victim of a caller failing before it calls.
// Of the silent services, those whose callers no longer even try to call
// them (the calling spans stopped too, as when a caller fails before it
// calls) are `abandoned`: victims, explained by their callers.
struct RankContext {
  std::vector<store::DependencyLink> dependencies;
  std::set<std::string> silent;
  std::set<std::string> abandoned;
};
RankedCauses RankCauses(const std::vector<Finding>& findings, const RankContext& context,
                        const DiagnoseOptions& options);

// Diagnose, also saying where each cause's example traces are found
// (`queries`, parallel to the causes; may be null).
Diagnosis DiagnoseWithQueries(const DiagnoseInput& input, const DiagnoseOptions& options,
                              std::vector<ExampleQuery>* queries);

}  // namespace callpath::analyze
