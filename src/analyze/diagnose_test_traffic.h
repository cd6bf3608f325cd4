// Synthetic traffic for the diagnose tests: requests through a service
// topology, with the spans (server spans, and client spans for each call)
// and log records a real system would send, a fault injected where the
// test says, and the statistics rows folded from them by the store's own
// FoldBatchStats, exactly as a store keeps them.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "analyze/diagnose.h"
#include "analyze/diagnose_edges.h"
#include "query/assembled_trace.h"
#include "store/stats_fold.h"

namespace callpath::analyze::testing {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMinute = 60'000'000'000ull;
constexpr uint64_t kT0 = 1'700'000'040'000'000'000ull;  // a whole minute

struct ServiceSpec {
  std::string name;
  std::vector<std::string> operations = {"handle"};  // one is picked per call
  double self_ms = 4;                  // median own time per call
  std::vector<std::string> calls;      // services it calls, one after the other
  double call_probability = 1.0;       // each call is made with this probability
};

struct FaultSpec {
  std::string service;               // "" = no fault
  double slow_factor = 1;            // every operation's own time times this
  double error_fraction = 0;         // this share of its calls fail
  std::string error_log;             // logged at ERROR by it on each failure
  bool callers_fail = true;          // its callers fail too (and log it)
  bool stopped = false;              // no spans, no logs: its callers' calls fail at once
  double network_delay_ms = 0;       // added between its callers and it
};

struct TrafficSpec {
  std::string entry;                 // the service requests arrive at
  uint64_t start_ns = kT0;
  uint64_t length_ns = 5 * kMinute;
  size_t requests = 300;
  uint32_t seed = 1;
  bool span_kinds = true;            // false: every span of kind unspecified
  bool client_spans = true;          // false: a caller's span is the callee's span's parent
  bool status_codes = true;          // false: no span carries a status
  // Per service: its own time in this period times a factor (noise).
  std::map<std::string, double> drift;
  // A benign error: this service logs it at ERROR on this share of calls.
  std::string benign_service;
  double benign_fraction = 0;
};

struct Traffic {
  std::vector<store::StoredSpan> spans;
  std::vector<store::StoredLog> logs;
};

class TrafficGenerator {
 public:
  TrafficGenerator(std::vector<ServiceSpec> services, TrafficSpec spec, FaultSpec fault = {})
      : spec_(std::move(spec)), fault_(std::move(fault)), rng_(spec_.seed) {
    for (auto& s : services) services_[s.name] = std::move(s);
  }

  Traffic Run() {
    Traffic out;
    for (size_t r = 0; r < spec_.requests; ++r) {
      trace_ = RandomTrace();
      uint64_t t = spec_.start_ns + (spec_.length_ns - 2'000 * kMs) / spec_.requests * r;
      Serve(spec_.entry, SpanId(), t, &out);
    }
    return out;
  }

 private:
  struct Outcome {
    uint64_t end_ns;
    bool failed;
  };

  TraceId RandomTrace() {
    TraceId id;
    for (auto& b : id.mutable_bytes()) b = static_cast<uint8_t>(rng_());
    id.mutable_bytes()[0] |= 1;
    return id;
  }
  SpanId NextSpan() {
    SpanId id;
    uint64_t n = ++span_counter_;
    for (int i = 0; i < 8; ++i) id.mutable_bytes()[7 - i] = static_cast<uint8_t>(n >> (8 * i));
    return id;
  }
  double Lognormal(double median_ms) {
    std::lognormal_distribution<double> d(std::log(median_ms), 0.25);
    return d(rng_);
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  store::StoredSpan NewSpan(const std::string& service, std::string op, store::SpanKind kind, SpanId parent,
                            uint64_t start) {
    store::StoredSpan s;
    s.trace_id = trace_;
    s.span_id = NextSpan();
    s.parent_span_id = parent;
    s.service = service;
    s.operation = std::move(op);
    s.kind = spec_.span_kinds ? kind : store::SpanKind::kUnspecified;
    s.start_ns = start;
    s.resource_attributes = {{"service.name", store::Value::String(service)}};
    return s;
  }

  void Log(Traffic* out, const std::string& service, const store::StoredSpan& span, uint64_t t, int32_t severity,
           std::string body) {
    store::StoredLog l;
    l.time_ns = t;
    l.trace_id = trace_;
    l.span_id = span.span_id;
    l.severity_number = severity;
    l.body = store::Value::String(std::move(body));
    l.service = service;
    l.resource_attributes = span.resource_attributes;
    out->logs.push_back(std::move(l));
  }

  void Finish(store::StoredSpan& s, uint64_t end, bool failed, Traffic* out) {
    s.duration_ns = end - s.start_ns;
    if (failed && spec_.status_codes) s.status = store::SpanStatus::kError;
    out->spans.push_back(std::move(s));
  }

  bool IsFaulty(const std::string& service) const { return !fault_.service.empty() && service == fault_.service; }

  // One call into `name`'s server span; returns when it answers and whether
  // it failed.
  Outcome Serve(const std::string& name, SpanId parent, uint64_t start, Traffic* out) {
    const ServiceSpec& svc = services_.at(name);
    const std::string& op = svc.operations[rng_() % svc.operations.size()];
    store::StoredSpan server = NewSpan(name, op, store::SpanKind::kServer, parent, start);
    double factor = IsFaulty(name) ? fault_.slow_factor : 1.0;
    if (auto d = spec_.drift.find(name); d != spec_.drift.end()) factor *= d->second;
    double own_ms = Lognormal(svc.self_ms) * factor;
    uint64_t t = start + static_cast<uint64_t>(own_ms / 2 * kMs);
    Log(out, name, server, t, 9, name + " handling " + op + " for request " + std::to_string(rng_() % 100000));
    bool failed = false;
    for (const auto& callee : svc.calls) {
      if (!Chance(svc.call_probability)) continue;
      Outcome o = Call(name, server, callee, t, out);
      t = o.end_ns + 100'000;
      if (o.failed) {
        Log(out, name, server, t, 17, "call to " + callee + " failed for request " + std::to_string(rng_() % 100000));
        failed = true;
        break;
      }
    }
    if (IsFaulty(name) && Chance(fault_.error_fraction)) {
      failed = true;
      if (!fault_.error_log.empty()) {
        Log(out, name, server, t, 17, fault_.error_log + " " + std::to_string(rng_() % 100000));
      }
    }
    if (name == spec_.benign_service && Chance(spec_.benign_fraction)) {
      Log(out, name, server, t, 17, "cache miss for key " + std::to_string(rng_() % 100000));
    }
    t += static_cast<uint64_t>(own_ms / 2 * kMs);
    Finish(server, t, failed, out);
    return {t, failed};
  }

  // A call from `caller` (inside `from`) to `callee`: a client span around
  // the callee's server span, with the network time on both sides.
  Outcome Call(const std::string& caller, const store::StoredSpan& from, const std::string& callee, uint64_t start,
               Traffic* out) {
    double net_ms = 0.3 + (IsFaulty(callee) ? fault_.network_delay_ms : 0);
    store::StoredSpan client;
    bool with_client = spec_.client_spans;
    SpanId parent = from.span_id;
    if (with_client) {
      client = NewSpan(caller, "call " + callee, store::SpanKind::kClient, from.span_id, start);
      parent = client.span_id;
    }
    Outcome o;
    if (IsFaulty(callee) && fault_.stopped) {
      o = {start + 1 * kMs, true};  // connection refused
    } else {
      o = Serve(callee, parent, start + static_cast<uint64_t>(net_ms / 2 * kMs), out);
      o.end_ns += static_cast<uint64_t>(net_ms / 2 * kMs);
      if (IsFaulty(callee) && !fault_.callers_fail) o.failed = false;
    }
    if (with_client) Finish(client, o.end_ns, o.failed, out);
    return o;
  }

  TrafficSpec spec_;
  FaultSpec fault_;
  std::mt19937 rng_;
  std::map<std::string, ServiceSpec> services_;
  TraceId trace_;
  uint64_t span_counter_ = 0;
};

// The statistics rows of `t` over its whole period, as StatsReader answers
// for a window (one row per key).
inline void FoldRows(const Traffic& t, std::vector<store::OperationStats>* ops,
                     std::vector<store::LogTemplateStats>* logs) {
  store::BatchStats stats = store::FoldBatchStats(store::MakeIngestBatch(t.spans, t.logs));
  std::map<std::tuple<std::string, std::string, store::SpanKind>, store::OperationStats> o;
  for (const auto& r : stats.operations) {
    auto [it, fresh] = o.try_emplace({r.service, r.operation, r.kind}, r);
    if (!fresh) store::MergeOperationStats(r, &it->second);
  }
  std::map<std::tuple<std::string, uint64_t, int32_t>, store::LogTemplateStats> l;
  for (const auto& r : stats.log_templates) {
    auto [it, fresh] = l.try_emplace({r.service, r.template_id, r.severity_number}, r);
    if (!fresh) store::MergeLogTemplateStats(r, &it->second);
  }
  for (auto& [k, v] : o) ops->push_back(std::move(v));
  for (auto& [k, v] : l) logs->push_back(std::move(v));
}

// Cross-service gaps and call graph of `t`, trace by trace.
inline void TraceFacts(const Traffic& t, std::vector<EdgeGapSample>* gaps, std::vector<SelfTimeSample>* self,
                       std::vector<store::DependencyLink>* deps) {
  std::map<TraceId, std::vector<store::StoredSpan>> by_trace;
  for (const auto& s : t.spans) by_trace[s.trace_id].push_back(s);
  std::map<std::pair<std::string, std::string>, uint64_t> links;
  for (auto& [id, spans] : by_trace) {
    query::AssembledTrace a = query::AssembleTrace(std::move(spans));
    CollectEdgeGaps(a, gaps);
    CollectDirectCallerSelfTimes(a, self);
    for (size_t i = 0; i < a.spans.size(); ++i) {
      int p = a.parent[i];
      if (p >= 0 && a.spans[p].service != a.spans[i].service) ++links[{a.spans[p].service, a.spans[i].service}];
    }
  }
  for (const auto& l : *deps) links[{l.parent, l.child}] += l.call_count;
  deps->clear();
  for (const auto& [pc, n] : links) deps->push_back({pc.first, pc.second, n});
}

// A baseline period right before the window, then the window with `fault`.
inline DiagnoseInput BuildInput(const std::vector<ServiceSpec>& services, TrafficSpec base_spec,
                                TrafficSpec window_spec, const FaultSpec& fault) {
  DiagnoseInput in;
  window_spec.start_ns = base_spec.start_ns + base_spec.length_ns;
  Traffic base = TrafficGenerator(services, base_spec).Run();
  Traffic win = TrafficGenerator(services, window_spec, fault).Run();
  in.baseline = {base_spec.start_ns, base_spec.start_ns + base_spec.length_ns};
  in.window = {window_spec.start_ns, window_spec.start_ns + window_spec.length_ns};
  FoldRows(base, &in.baseline_ops, &in.baseline_logs);
  FoldRows(win, &in.window_ops, &in.window_logs);
  TraceFacts(base, &in.baseline_gaps, &in.baseline_self, &in.dependencies);
  TraceFacts(win, &in.window_gaps, &in.window_self, &in.dependencies);
  return in;
}

}  // namespace callpath::analyze::testing
