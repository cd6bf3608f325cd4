// GatherFacts: each span of the trace against its baseline - failures,
// log lines, latency beyond the usual, callees that left no span.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "analyze/explain_facts.h"
#include "analyze/span_index.h"
#include "analyze/span_signals.h"

namespace callpath::analyze::detail {

namespace {

// A baseline figure is trusted only beyond noise: at least this many calls.
constexpr uint64_t kMinCallsForErrorRate = 5;
// Errors at least this frequent in the baseline are part of normal traffic.
constexpr double kUsualErrorRate = 0.1;
// A log template written by at least this share of an operation's healthy
// spans (or, by the statistics, per this share of the service's calls) is
// usual for it, whatever its severity.
constexpr double kUsualTemplateShare = 0.2;
constexpr double kUsualTemplateRate = 0.05;
// Latency beyond the usual: more than the baseline's spread (p99 - p50),
// a quarter of the median, and half a millisecond.
constexpr double kMinRelativeExcess = 0.25;
constexpr int64_t kMinExcessNs = 500'000;

int64_t Signed(uint64_t v) { return static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX)); }

int64_t Spread(const Quantiles& q) {
  int64_t spread = Signed(q.p99) - Signed(q.p50);
  return std::max({spread, static_cast<int64_t>(kMinRelativeExcess * static_cast<double>(q.p50)), kMinExcessNs});
}

// Calls per service in the baseline (its server spans, else all its spans),
// to turn template counts into rates.
std::map<std::string, uint64_t> ServiceCalls(const Baseline& b) {
  std::map<std::string, uint64_t> entry, all;
  for (const auto& [key, ob] : b.operations) {
    all[key.service] += ob.calls;
    if (key.kind == store::SpanKind::kServer || key.kind == store::SpanKind::kConsumer) {
      entry[key.service] += ob.calls;
    }
  }
  for (const auto& [service, calls] : all) entry.emplace(service, calls);
  return entry;
}

bool UsualTemplate(const Baseline& b, const std::map<std::string, uint64_t>& service_calls,
                   const store::StoredSpan& span, const store::StoredLog& log) {
  uint64_t id = TemplateIdOf(log);
  OperationKey key = KeyOf(span);
  auto spans = b.reference_spans.find(key);
  auto presence = b.template_presence.find(key);
  if (spans != b.reference_spans.end() && presence != b.template_presence.end()) {
    auto p = presence->second.find(id);
    if (p != presence->second.end() &&
        static_cast<double>(p->second.spans) >= kUsualTemplateShare * static_cast<double>(spans->second)) {
      return true;
    }
  }
  auto t = b.templates.find({log.service, id, log.severity_number});
  auto calls = service_calls.find(log.service);
  if (t == b.templates.end() || calls == service_calls.end() || calls->second == 0) return false;
  return static_cast<double>(t->second.count) >= kUsualTemplateRate * static_cast<double>(calls->second);
}

// Sorts the logs into spans. A record whose span is not in the trace goes
// to the first span of its service, or is homeless when its service has none.
void SortLogs(TraceFacts* f) {
  const auto& t = f->trace;
  SpanIndex index = IndexBySpanId(t);
  std::map<std::string, size_t> first_of_service;
  for (size_t i = 0; i < t.spans.size(); ++i) first_of_service.emplace(t.spans[i].service, i);
  std::vector<size_t> order(f->logs.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return f->logs[a].effective_time_ns() < f->logs[b].effective_time_ns();
  });
  std::map<std::string, std::vector<size_t>> homeless;
  for (size_t k : order) {
    const auto& log = f->logs[k];
    auto it = log.span_id.IsValid() ? index.find(log.span_id) : index.end();
    if (it != index.end()) {
      f->spans[it->second].logs.push_back(k);
    } else if (auto s = first_of_service.find(log.service); s != first_of_service.end()) {
      f->spans[s->second].logs.push_back(k);
    } else {
      homeless[log.service].push_back(k);
    }
  }
  f->homeless_logs.assign(homeless.begin(), homeless.end());
}

void MarkFailures(TraceFacts* f) {
  auto service_calls = ServiceCalls(f->baseline);
  for (size_t i = 0; i < f->trace.spans.size(); ++i) {
    const auto& s = f->trace.spans[i];
    SpanFacts& x = f->spans[i];
    FailureSignal sig = FailureOf(s);
    x.failed = sig.failed;
    x.timed_out = sig.timed_out;
    x.failure = std::move(sig.why);
    x.failure_expected = x.failed && x.base && x.base->calls >= kMinCallsForErrorRate &&
                         x.base->error_rate() >= kUsualErrorRate;
    for (size_t k : x.logs) {
      const auto& log = f->logs[k];
      if (SeverityOf(log) < kSeverityError) continue;
      if (UsualTemplate(f->baseline, service_calls, s, log)) continue;
      x.unusual_error_log = k;
      break;
    }
  }
}

void MeasureLatency(TraceFacts* f) {
  const auto& t = f->trace;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    SpanFacts& x = f->spans[i];
    if (x.base) x.duration_excess_ns = Signed(t.spans[i].duration_ns) - Signed(x.base->duration.p50);
  }
  for (size_t i = 0; i < t.spans.size(); ++i) {
    SpanFacts& x = f->spans[i];
    if (!x.base) continue;
    int64_t own = Signed(x.local_self_ns) - Signed(x.base->self_time.p50);
    // The callees' own lateness is theirs; an unknown callee's whole time
    // is taken as explained (nothing says it was usual).
    for (size_t c : RemoteChildren(t, i)) {
      own -= f->spans[c].base ? std::max<int64_t>(0, f->spans[c].duration_excess_ns)
                              : Signed(t.spans[c].duration_ns);
    }
    x.own_excess_ns = std::max<int64_t>(0, own);
    x.slow = x.own_excess_ns > Spread(x.base->self_time);
  }
  if (t.root < 0) return;
  const SpanFacts& root = f->spans[static_cast<size_t>(t.root)];
  if (root.base) {
    f->trace_excess_ns = std::max<int64_t>(0, root.duration_excess_ns);
    f->trace_slow = root.duration_excess_ns > Spread(root.base->duration);
  } else {
    int64_t own = 0;
    for (const auto& x : f->spans) own += x.slow ? x.own_excess_ns : 0;
    f->trace_excess_ns = own;
    f->trace_slow = own * 5 > Signed(t.spans[static_cast<size_t>(t.root)].duration_ns);
  }
}

// A failing span without a client span below it whose references always
// had a child span of another service directly, and has none now.
std::string MissingDirectCallee(const TraceFacts& f, size_t i) {
  const auto& s = f.trace.spans[i];
  auto spans = f.baseline.reference_spans.find(KeyOf(s));
  auto direct = f.baseline.direct_callees.find(KeyOf(s));
  if (spans == f.baseline.reference_spans.end() || direct == f.baseline.direct_callees.end() || spans->second < 2) {
    return {};
  }
  std::set<std::string> present;
  for (size_t c : RemoteChildren(f.trace, i)) present.insert(f.trace.spans[c].service);
  for (const auto& [service, count] : direct->second) {
    if (count * 5 >= spans->second * 4 && !present.count(service)) return service;
  }
  return {};
}

void MarkMissingCallees(TraceFacts* f) {
  const auto& t = f->trace;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    const auto& s = t.spans[i];
    if (s.kind != store::SpanKind::kClient && s.kind != store::SpanKind::kProducer) {
      const SpanFacts& x = f->spans[i];
      if (x.failed || x.unusual_error_log != kNone) f->spans[i].missing_callee = MissingDirectCallee(*f, i);
      continue;
    }
    if (!RemoteChildren(t, i).empty()) continue;
    f->spans[i].missing_callee = ExpectedCallee(f->baseline, s, f->spans[i].failed);
  }
}

}  // namespace

TraceFacts GatherFacts(const query::AssembledTrace& trace, const std::vector<store::StoredLog>& logs,
                       const Baseline& baseline) {
  TraceFacts f{trace, logs, baseline, {}, {}, false, false, 0};
  f.spans.resize(trace.spans.size());
  std::vector<uint64_t> self = LocalSelfTimes(trace);
  for (size_t i = 0; i < trace.spans.size(); ++i) {
    f.spans[i].local_self_ns = self[i];
    f.spans[i].base = baseline.Find(KeyOf(trace.spans[i]));
  }
  SortLogs(&f);
  MarkFailures(&f);
  MeasureLatency(&f);
  MarkMissingCallees(&f);
  if (trace.root >= 0) f.root_failed = f.spans[static_cast<size_t>(trace.root)].failed;
  return f;
}

std::string FormatNs(int64_t ns) {
  char buf[48];
  double v = static_cast<double>(ns < 0 ? -ns : ns);
  const char* sign = ns < 0 ? "-" : "";
  if (v >= 1e9) {
    std::snprintf(buf, sizeof buf, "%s%.3g s", sign, v / 1e9);
  } else if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%s%.3g ms", sign, v / 1e6);
  } else if (v >= 1e3) {
    std::snprintf(buf, sizeof buf, "%s%.3g µs", sign, v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%s%.0f ns", sign, v);
  }
  return buf;
}

std::string SpanName(const store::StoredSpan& s) { return s.service + " " + s.operation; }

bool IsAncestorOrSelf(const query::AssembledTrace& t, size_t ancestor, size_t span) {
  // Depth bounds the walk: parent links never form a cycle after assembly.
  for (size_t steps = 0; steps <= t.spans.size(); ++steps) {
    if (span == ancestor) return true;
    if (t.parent[span] < 0) return false;
    span = static_cast<size_t>(t.parent[span]);
  }
  return false;
}

std::vector<size_t> RemoteChildren(const query::AssembledTrace& t, size_t i) {
  std::vector<size_t> out;
  const auto& s = t.spans[i];
  for (size_t c : t.children[i]) {
    if (t.spans[c].service != s.service && t.spans[c].parent_span_id == s.span_id) out.push_back(c);
  }
  return out;
}

}  // namespace callpath::analyze::detail
