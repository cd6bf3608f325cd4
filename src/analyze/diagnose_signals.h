// The findings diagnose ranks: each one shift between the baseline and the
// window, of one operation, one log template or one pair of services,
// with its strength (0..1) and the evidence a person can check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyze/cause.h"
#include "analyze/diagnose.h"

namespace callpath::analyze {

// What kind of trouble a finding is evidence of; propagation is reasoned
// about per family (diagnose_rank.h).
enum class SignalFamily {
  kLatency,  // slower (or faster) own code, or time lost between services
  kFailure,  // errors, error logs, log templates new or vanished
  kTraffic,  // calls that stopped happening
};

// Where example traces of a finding are found (DiagnoseStore).
struct ExampleQuery {
  std::string operation;             // "" = any operation of the service
  bool errors_only = false;          // failing traces first
  uint64_t min_span_duration_ns = 0; // slow ones: a span at least this long
  uint64_t log_template_id = 0;      // traces holding a record of this template
  std::string log_text;              // a literal piece of that template to search by
  int32_t log_severity = 0;
  bool in_baseline = false;          // a vanished template: look in the baseline
};

struct Finding {
  std::string service;
  std::string operation;  // "" when the finding is about the whole service
  CauseKind kind = CauseKind::kLatency;
  SignalFamily family = SignalFamily::kLatency;
  // The service's own behaviour (its local self time, its server spans'
  // errors, its logs, the gaps around it) rather than a symptom a callee
  // may have caused (a client span's duration or error).
  bool own = true;
  double strength = 0;  // 0..1
  std::string summary;  // one sentence, with figures and units
  std::vector<Evidence> evidence;
  ExampleQuery example;
};

struct Findings {
  std::vector<Finding> findings;
  // Changes at the entry points (root operations): what users felt.
  std::vector<Evidence> symptoms;
};

// Latency, error-rate and missing-call findings per operation, and the root
// operations' symptoms.
void FindOperationShifts(const DiagnoseInput& input, Findings* out);

// New, vanished and more frequent log templates per service.
void FindLogShifts(const DiagnoseInput& input, Findings* out);

// Caller/callee gaps that widened, attributed to the service they share
// (docs/rca.md, "time lost between services").
void FindEdgeShifts(const DiagnoseInput& input, Findings* out);

// How much more traffic the window carries than the baseline (root calls,
// else all calls, else the lengths): counts of the baseline times this are
// what the window is expected to hold.
double TrafficScale(const DiagnoseInput& input);

// How much a log record of this severity (OTLP number; 0 = unset, then
// judged from the words of `text`) counts as a sign of failure: 1 for
// errors, 0.6 warnings, 0.3 the rest.
double SeverityWeight(int32_t severity_number, std::string_view text);

}  // namespace callpath::analyze
