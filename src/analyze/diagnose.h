// diagnose: what changed in an incident window, and which service most
// likely caused it.
//
// The window is compared with a baseline (by default the same length right
// before it) over the statistics the store keeps at ingest (store/stats.h)
// and a sample of traces from each:
//   - latency shifts per operation: local self time (the service's own
//     code) and duration, each judged against the operation's own spread
//     in the baseline and discounted when few calls were seen;
//   - error-rate shifts per operation, by significance, not raw counts;
//   - log templates per service that are new, vanished or more frequent,
//     error-level ones weighing most (spans need carry no status at all);
//   - calls that stopped happening while their callers kept running;
//   - cross-service gaps (a caller's span minus its callee's span) that
//     widened: time lost between two services, such as network delay;
//   - root operations whose traces got longer or shorter (the symptom).
// Findings are then ranked by service over the call graph: a fault
// propagates to every caller (slower, failing, logging errors), so a
// service whose callees shifted too is ranked below them, and the deepest
// service whose OWN behaviour shifted comes first (docs/rca.md).
//
// Diagnose is pure (rows in, causes out) so that it can be tested on rows
// folded from synthetic spans; DiagnoseStore gathers the rows, the call
// graph and the trace samples from a store and adds example traces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/cause.h"
#include "callpath/status.h"
#include "store/stats.h"
#include "store/store.h"

namespace callpath::analyze {

// A time range [start_ns, end_ns).
struct TimeWindow {
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  uint64_t length_ns() const noexcept { return end_ns > start_ns ? end_ns - start_ns : 0; }
};

// How long a caller's span outlasted its callee's span, per pair of
// services, from sampled traces (diagnose_edges.h makes these).
struct EdgeGapSample {
  std::string caller;  // service of the calling span
  std::string callee;  // service of the called span
  std::string caller_operation;  // the calling span's name
  uint64_t gap_ns = 0; // caller span duration - callee span duration (>= 0)
};

// The self time of one span (duration minus all its children's time) whose
// children include another service's span while no client span times the
// call: the statistics' local self time (store/stats.h) of such a span
// holds its callees' time too. From sampled traces.
struct SelfTimeSample {
  std::string service;
  std::string operation;
  uint64_t self_ns = 0;
};

// Everything Diagnose reads. Rows are merged over the whole window (one row
// per key, StatsQuery::step_ns = 0).
struct DiagnoseInput {
  TimeWindow window;
  TimeWindow baseline;
  std::vector<store::OperationStats> window_ops;
  std::vector<store::OperationStats> baseline_ops;
  std::vector<store::LogTemplateStats> window_logs;
  std::vector<store::LogTemplateStats> baseline_logs;
  // The service call graph over both periods (parent calls child).
  std::vector<store::DependencyLink> dependencies;
  // Optional: caller/callee gaps from traces sampled in each period.
  std::vector<EdgeGapSample> window_gaps;
  std::vector<EdgeGapSample> baseline_gaps;
  // Optional: self times of spans that call other services directly.
  std::vector<SelfTimeSample> window_self;
  std::vector<SelfTimeSample> baseline_self;
};

struct DiagnoseOptions {
  // Only this service and the services it calls (directly or not); "" = all.
  std::string service;
  // At most this many causes.
  size_t max_causes = 10;
  // Causes scoring below this (0..1) are left out as noise.
  double min_score = 0.05;
};

// What a diagnosis answers (rendered by RenderDiagnosis, render_causes.h).
struct Diagnosis {
  TimeWindow window;
  TimeWindow baseline;
  std::string summary;        // one sentence a person can act on
  std::vector<Cause> causes;  // ranked, most likely first; rank from 1
  // Symptoms seen at the entry points (root operations whose traces got
  // longer, shorter or failed more): the "what", where causes are the "why".
  std::vector<Evidence> symptoms;
  uint64_t window_spans = 0;  // calls counted in the window's statistics
  uint64_t window_logs = 0;   // log records counted in the window
};

// Ranks the causes of what changed between input.baseline and
// input.window. Pure and thread-compatible; any input is accepted (empty
// rows give no causes and a summary saying nothing changed). Example traces
// are left empty: DiagnoseStore fills them.
Diagnosis Diagnose(const DiagnoseInput& input, const DiagnoseOptions& options = {});

// Where DiagnoseStore reads from. The store must outlive the call.
struct DiagnoseSources {
  store::SpanReader* spans = nullptr;
  store::LogReader* logs = nullptr;
  store::StatsReader* stats = nullptr;
};

struct DiagnoseStoreOptions {
  DiagnoseOptions diagnose;
  // Traces sampled per period, spread over this many slices of it: the
  // call graph, the cross-service gaps and the self times of spans that
  // call other services come from them. (GetDependencies is not used: it
  // scans every span of the store's time buckets, seconds on a busy store.)
  size_t sample_traces = 200;
  size_t sample_slices = 10;
  // Example traces per cause (at most 5 are kept).
  size_t examples = 5;
};

// Reads the window's and the baseline's statistics and trace samples (the
// call graph is the union of the samples' caller/callee pairs), runs
// Diagnose, and adds up to `examples` example trace ids to
// each cause (traces of that service/operation in the window: failing ones
// first for error causes, slow ones for latency, those holding the log
// template for log causes). Errors: InvalidArgument for an empty window or
// a baseline that is empty or overlaps the window; a store's error as is.
Result<Diagnosis> DiagnoseStore(const DiagnoseSources& sources, TimeWindow window, TimeWindow baseline,
                                const DiagnoseStoreOptions& options = {});

// The default baseline: the same length as `window`, right before it.
TimeWindow DefaultBaseline(TimeWindow window) noexcept;

}  // namespace callpath::analyze
