// What `explain` compares a trace with: what is normal for each operation
// and each log template, as plain data.
//
// Two sources, merged by LoadBaseline:
//   - the store's per-minute statistics (store/stats.h) over a window:
//     many calls, quantiles from sketches (BaselineFromStats);
//   - a few healthy reference traces and their logs: exact quantiles, and
//     what statistics cannot say - which log templates an operation always
//     writes, which service a client call usually reaches, which remote
//     calls an operation always makes (BaselineFromTraces).
//
// Self time here is LOCAL self time, as the statistics define it: a span's
// duration minus the union of its children OF THE SAME SERVICE. A server
// span's local self time is its own code; a client span's is its whole
// duration (the callee's spans belong to another service and clock).
//
// Everything is a value type; the functions are pure except LoadBaseline,
// which reads the store (thread-safe as the store's readers are).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "callpath/status.h"
#include "query/assembled_trace.h"
#include "store/model.h"
#include "store/stats.h"
#include "store/store.h"

namespace callpath::analyze {

// An operation: (service, span name, span kind), as the statistics key it.
struct OperationKey {
  std::string service;
  std::string operation;
  store::SpanKind kind = store::SpanKind::kUnspecified;
  friend auto operator<=>(const OperationKey&, const OperationKey&) = default;
};
OperationKey KeyOf(const store::StoredSpan& span);

struct Quantiles {
  uint64_t p50 = 0, p90 = 0, p99 = 0;  // nanoseconds
};

struct OperationBaseline {
  uint64_t calls = 0;
  uint64_t errors = 0;    // spans with status ERROR
  Quantiles duration;
  Quantiles self_time;    // local self time (see above)
  double error_rate() const noexcept {
    return calls ? static_cast<double>(errors) / static_cast<double>(calls) : 0.0;
  }
};

// Per (service, template id, severity number): how often it was logged.
struct TemplateKey {
  std::string service;
  uint64_t template_id = 0;
  int32_t severity_number = 0;
  friend auto operator<=>(const TemplateKey&, const TemplateKey&) = default;
};
struct TemplateBaseline {
  std::string text;  // the masked message
  uint64_t count = 0;
};

// Learned from reference traces: how often spans of one operation wrote a
// log template (counted once per span).
struct TemplatePresence {
  std::string text;
  int32_t severity_number = 0;
  uint32_t spans = 0;  // spans of the operation that wrote it
};

// Learned from reference traces: where the calls of one client operation
// went. `peer` is what the client span says of its callee (see PeerOf).
struct CalleeKey {
  std::string service;
  std::string operation;
  std::string peer;
  friend auto operator<=>(const CalleeKey&, const CalleeKey&) = default;
};
struct CalleeBaseline {
  uint32_t calls = 0;        // client spans seen
  uint32_t reached = 0;      // of which had a child span of another service
  std::map<std::string, uint32_t> services;  // the callee's service -> times
};

struct Baseline {
  // The window the statistics cover (0, 0 when none were read).
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  std::map<OperationKey, OperationBaseline> operations;
  std::map<TemplateKey, TemplateBaseline> templates;

  // From reference traces (empty when there were none): recent requests
  // like the one explained, mostly healthy.
  uint32_t reference_traces = 0;
  std::map<OperationKey, uint32_t> reference_spans;  // spans per operation
  std::map<OperationKey, std::map<uint64_t, TemplatePresence>> template_presence;
  std::map<CalleeKey, CalleeBaseline> callees;
  // Spans of an operation that had a child span of another service
  // directly (no client span between: an SDK that records none), per that
  // service.
  std::map<OperationKey, std::map<std::string, uint32_t>> direct_callees;
  // Services known to send spans (from the store, or seen in references).
  std::set<std::string> known_services;

  const OperationBaseline* Find(const OperationKey& key) const;
};

// Local self time of every span of `trace` (index as trace.spans).
std::vector<uint64_t> LocalSelfTimes(const query::AssembledTrace& trace);

// What a client span names as its callee, most specific first:
// peer.service, then server.address[:server.port] (or net.peer.name),
// then rpc.service, then db.system[/db.namespace or db.name], then the
// host of url.full / http.url. "" when it names none.
std::string PeerOf(const store::StoredSpan& span);

// A log record's template id: the stored one, else computed from the body.
uint64_t TemplateIdOf(const store::StoredLog& log);

// The baseline of healthy traces `traces` with their logs (`logs[i]` are
// the logs of traces[i]; may be shorter than `traces`). Exact quantiles.
Baseline BaselineFromTraces(const std::vector<query::AssembledTrace>& traces,
                            const std::vector<std::vector<store::StoredLog>>& logs);

// The baseline of statistics rows read over [start_ns, end_ns).
Baseline BaselineFromStats(const std::vector<store::OperationStats>& operations,
                           const std::vector<store::LogTemplateStats>& templates, uint64_t start_ns,
                           uint64_t end_ns);

// `stats` with what `references` adds: an operation's figures come from
// whichever source saw more calls; templates from both; the reference-only
// parts from `references`.
Baseline MergeBaselines(Baseline stats, const Baseline& references);

struct BaselineLoadOptions {
  // The statistics window: `window_ns` before the trace's start, ending at
  // the start of the trace's own minute (so the trace does not judge itself).
  uint64_t window_ns = 3'600'000'000'000ull;
  // Reference traces: the recent traces with the same root operation
  // nearest the trace, before it first (failed ones too: errors that
  // healthy traffic has belong in the baseline). Bounded so that a trace of
  // 50k spans is still explained within a second.
  size_t max_reference_traces = 12;
  size_t max_reference_spans = 20'000;
};

// Reads the baseline of `trace` from `store`: the statistics of the
// trace's operations and log templates over the window, plus reference
// traces and their logs. A store without statistics gives a baseline of
// reference traces only. Errors: the store's read errors.
Result<Baseline> LoadBaseline(store::Store& store, const query::AssembledTrace& trace,
                              const BaselineLoadOptions& options = {});

}  // namespace callpath::analyze
