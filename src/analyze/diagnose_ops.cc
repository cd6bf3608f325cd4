// Operation shifts: latency (local self time and duration), error rate,
// calls that stopped, and the root operations' symptoms.
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "analyze/diagnose_shift.h"
#include "analyze/diagnose_signals.h"

namespace callpath::analyze {
namespace {

using OpKey = std::tuple<std::string, std::string, store::SpanKind>;

OpKey KeyOf(const store::OperationStats& s) { return {s.service, s.operation, s.kind}; }

// Client and producer spans time a call into another service: their
// duration and errors are the callee's as much as their own. So do spans of
// unset kind that the sampled traces show calling out (diagnose_edges.h).
using OutgoingOps = std::set<std::pair<std::string, std::string>>;

bool IsOutgoing(const store::OperationStats& s, const OutgoingOps& outgoing) {
  return s.kind == store::SpanKind::kClient || s.kind == store::SpanKind::kProducer ||
         outgoing.count({s.service, s.operation}) > 0;
}

std::string OpName(const store::OperationStats& s) { return s.operation + " (" + s.service + ")"; }

std::string QuantileName(double q) { return q >= 0.9 ? "p90" : "p50"; }

Evidence BaselineEvidence(std::string text, double observed, double expected) {
  Evidence e;
  e.type = "baseline";
  e.text = std::move(text);
  e.observed = observed;
  e.expected = expected;
  return e;
}

// "p50 self time of Charge (payment) rose from 12 ms to 480 ms (310 calls;
// baseline 295)".
std::string LatencyText(const store::OperationStats& w, const store::OperationStats& b, const LatencyShift& shift,
                        const char* what) {
  return QuantileName(shift.quantile) + " " + what + " of " + OpName(w) +
         (shift.effect > 0 ? " rose from " : " fell from ") + FormatNs(static_cast<double>(shift.before_ns)) + " to " +
         FormatNs(static_cast<double>(shift.after_ns)) + " (" + FormatCount(static_cast<double>(w.calls)) +
         " calls; baseline " + FormatCount(static_cast<double>(b.calls)) + ")";
}

void AddLatency(const store::OperationStats& w, const store::OperationStats& b, const store::LatencySketch& before,
                const store::LatencySketch& after, bool self, Findings* out) {
  LatencyShift shift = CompareLatency(before, after);
  if (shift.effect == 0) return;
  double strength = Strength(std::fabs(shift.effect), 0.5, 1.5);
  if (shift.effect < 0) strength *= 0.5;  // faster is a weaker sign of a fault than slower
  if (strength <= 0) return;
  Finding f;
  f.service = w.service;
  f.operation = w.operation;
  f.kind = CauseKind::kLatency;
  f.family = SignalFamily::kLatency;
  f.own = self;
  f.strength = strength;
  f.summary = LatencyText(w, b, shift, self ? "self time" : "duration");
  f.evidence.push_back(
      BaselineEvidence(f.summary, static_cast<double>(shift.after_ns), static_cast<double>(shift.before_ns)));
  f.example.operation = w.operation;
  // Slow examples: spans longer than nine in ten of the baseline's.
  if (shift.effect > 0) f.example.min_span_duration_ns = b.duration.Quantile(0.9);
  out->findings.push_back(std::move(f));
}

void AddErrorRate(const store::OperationStats& w, const store::OperationStats* b, bool outgoing, Findings* out) {
  uint64_t be = b ? b->errors : 0, bc = b ? b->calls : 0;
  if (w.errors < 2) return;
  double pw = static_cast<double>(w.errors) / static_cast<double>(w.calls);
  double pb = bc ? static_cast<double>(be) / static_cast<double>(bc) : 0;
  if (pw - pb < 0.01) return;
  double z = ProportionShiftZ(be, bc, w.errors, w.calls);
  double strength = Strength(z, 3, 5);
  if (strength <= 0) return;
  Finding f;
  f.service = w.service;
  f.operation = w.operation;
  f.kind = CauseKind::kErrorRate;
  f.family = SignalFamily::kFailure;
  f.own = !outgoing;
  f.strength = strength;
  f.summary = FormatPercent(pw) + " of " + OpName(w) + " calls failed (" + FormatCount(static_cast<double>(w.errors)) +
              " of " + FormatCount(static_cast<double>(w.calls)) + "), against " + FormatPercent(pb) +
              " in the baseline";
  f.evidence.push_back(BaselineEvidence(f.summary, pw, pb));
  f.example.operation = w.operation;
  f.example.errors_only = true;
  out->findings.push_back(std::move(f));
}

void AddMissingCalls(const store::OperationStats& b, uint64_t window_calls, double scale, Findings* out) {
  double expected = static_cast<double>(b.calls) * scale;
  double seen = static_cast<double>(window_calls);
  if (expected < 5 || seen > 0.5 * expected) return;
  double strength = Strength(CountShiftZ(expected, seen), 3, 4);
  if (strength <= 0) return;
  Finding f;
  f.service = b.service;
  f.operation = b.operation;
  f.kind = CauseKind::kMissingCalls;
  f.family = SignalFamily::kTraffic;
  f.strength = strength;
  f.summary = "calls of " + OpName(b) + (window_calls == 0 ? " stopped: none" : " dropped: " + FormatCount(seen)) +
              " in the window where about " + FormatCount(expected) + " were expected from the baseline";
  f.evidence.push_back(BaselineEvidence(f.summary, seen, expected));
  f.example.operation = b.operation;
  f.example.in_baseline = true;
  out->findings.push_back(std::move(f));
}

void AddRootSymptoms(const store::OperationStats& w, const store::OperationStats& b, Findings* out) {
  LatencyShift shift = CompareLatency(b.duration, w.duration);
  if (Strength(std::fabs(shift.effect), 0.5, 1.5) > 0) {
    std::string text = "traces starting at " + OpName(w) + " got " + (shift.effect > 0 ? "longer" : "shorter") + ": " +
                       QuantileName(shift.quantile) + " " + FormatNs(static_cast<double>(shift.before_ns)) + " -> " +
                       FormatNs(static_cast<double>(shift.after_ns));
    out->symptoms.push_back(
        BaselineEvidence(std::move(text), static_cast<double>(shift.after_ns), static_cast<double>(shift.before_ns)));
  }
  if (w.errors >= 2 && Strength(ProportionShiftZ(b.errors, b.calls, w.errors, w.calls), 3, 5) > 0) {
    double pw = static_cast<double>(w.errors) / static_cast<double>(w.calls);
    double pb = b.calls ? static_cast<double>(b.errors) / static_cast<double>(b.calls) : 0;
    out->symptoms.push_back(BaselineEvidence(
        FormatPercent(pw) + " of requests to " + OpName(w) + " failed, against " + FormatPercent(pb), pw, pb));
  }
}

}  // namespace

double TrafficScale(const DiagnoseInput& input) {
  uint64_t wr = 0, br = 0, wc = 0, bc = 0;
  for (const auto& s : input.window_ops) wr += s.root_calls, wc += s.calls;
  for (const auto& s : input.baseline_ops) br += s.root_calls, bc += s.calls;
  if (wr > 0 && br > 0) return static_cast<double>(wr) / static_cast<double>(br);
  if (wc > 0 && bc > 0 && wr == 0 && br == 0) return static_cast<double>(wc) / static_cast<double>(bc);
  if (input.baseline.length_ns() == 0) return 1;
  return static_cast<double>(input.window.length_ns()) / static_cast<double>(input.baseline.length_ns());
}

void FindOperationShifts(const DiagnoseInput& input, Findings* out) {
  OutgoingOps outgoing_ops;
  for (const auto* gaps : {&input.window_gaps, &input.baseline_gaps}) {
    for (const auto& g : *gaps) outgoing_ops.insert({g.caller, g.caller_operation});
  }
  std::map<OpKey, const store::OperationStats*> base, win;
  // (service, operation) -> sampled self times in the baseline, the window.
  std::map<std::pair<std::string, std::string>, std::pair<store::LatencySketch, store::LatencySketch>> self_samples;
  for (const auto& s : input.baseline_self) self_samples[{s.service, s.operation}].first.Add(s.self_ns);
  for (const auto& s : input.window_self) self_samples[{s.service, s.operation}].second.Add(s.self_ns);
  for (const auto& s : input.baseline_ops) base[KeyOf(s)] = &s;
  for (const auto& s : input.window_ops) win[KeyOf(s)] = &s;
  for (const auto& [key, w] : win) {
    auto it = base.find(key);
    const store::OperationStats* b = it == base.end() ? nullptr : it->second;
    bool outgoing = IsOutgoing(*w, outgoing_ops);
    AddErrorRate(*w, b, outgoing, out);
    if (b == nullptr) continue;
    if (!outgoing) {
      // Sampled self times, where there are enough of them, say what the
      // statistics cannot for a span that calls other services directly.
      auto sampled = self_samples.find({w->service, w->operation});
      bool use =
          sampled != self_samples.end() && sampled->second.first.count() >= 5 && sampled->second.second.count() >= 5;
      AddLatency(*w, *b, use ? sampled->second.first : b->self_time, use ? sampled->second.second : w->self_time,
                 /*self=*/true, out);
    }
    // A duration that moved while the self time did not is what callees
    // did: kept as a symptom of this operation (not its own fault).
    if (w->root_calls == 0) AddLatency(*w, *b, b->duration, w->duration, /*self=*/false, out);
    if (w->root_calls > 0) AddRootSymptoms(*w, *b, out);
  }
  double scale = TrafficScale(input);
  for (const auto& [key, b] : base) {
    // A client span that stopped is its callee's missing call, or its
    // caller's failure before it called: either is named by the others.
    if (IsOutgoing(*b, outgoing_ops)) continue;
    auto it = win.find(key);
    AddMissingCalls(*b, it == win.end() ? 0 : it->second->calls, scale, out);
  }
}

}  // namespace callpath::analyze
