// Baselines from statistics rows and from healthy reference traces.
#include "analyze/baseline.h"

#include <algorithm>
#include <set>
#include "analyze/span_index.h"
#include "analyze/span_signals.h"
#include "store/log_template.h"
#include "store/stats_fold.h"

namespace callpath::analyze {

namespace {

using detail::AttributeText;

// "https://user@host:8080/path?q" -> "host:8080".
std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  return std::string(url);
}

// Nearest-rank quantile of sorted samples.
uint64_t SortedQuantile(const std::vector<uint64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Quantiles QuantilesOf(std::vector<uint64_t>* samples) {
  std::sort(samples->begin(), samples->end());
  return {SortedQuantile(*samples, 0.5), SortedQuantile(*samples, 0.9), SortedQuantile(*samples, 0.99)};
}

Quantiles QuantilesOf(const store::LatencySketch& sketch) {
  return {sketch.Quantile(0.5), sketch.Quantile(0.9), sketch.Quantile(0.99)};
}

struct Samples {
  uint64_t calls = 0, errors = 0;
  std::vector<uint64_t> duration, self;
};

}  // namespace

OperationKey KeyOf(const store::StoredSpan& span) { return {span.service, span.operation, span.kind}; }

const OperationBaseline* Baseline::Find(const OperationKey& key) const {
  auto it = operations.find(key);
  return it == operations.end() ? nullptr : &it->second;
}

std::vector<uint64_t> LocalSelfTimes(const query::AssembledTrace& t) {
  std::vector<uint64_t> self(t.spans.size(), 0);
  std::vector<std::pair<uint64_t, uint64_t>> iv;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    const auto& s = t.spans[i];
    iv.clear();
    for (size_t c : t.children[i]) {
      const auto& k = t.spans[c];
      // Orphans hang under the root without being its children.
      if (k.service != s.service || k.parent_span_id != s.span_id) continue;
      uint64_t a = std::max(k.start_ns, s.start_ns), b = std::min(k.end_ns(), s.end_ns());
      if (a < b) iv.emplace_back(a, b);
    }
    std::sort(iv.begin(), iv.end());
    uint64_t covered = 0, open_a = 0, open_b = 0;
    bool open = false;
    for (auto [a, b] : iv) {
      if (open && a <= open_b) {
        open_b = std::max(open_b, b);
        continue;
      }
      if (open) covered += open_b - open_a;
      open_a = a, open_b = b, open = true;
    }
    if (open) covered += open_b - open_a;
    self[i] = s.duration_ns - std::min(covered, s.duration_ns);
  }
  return self;
}

std::string PeerOf(const store::StoredSpan& s) {
  if (std::string v = AttributeText(s, "peer.service"); !v.empty()) return v;
  std::string host = AttributeText(s, "server.address");
  if (host.empty()) host = AttributeText(s, "net.peer.name");
  if (!host.empty()) {
    std::string port = AttributeText(s, "server.port");
    if (port.empty()) port = AttributeText(s, "net.peer.port");
    return port.empty() ? host : host + ":" + port;
  }
  if (std::string v = AttributeText(s, "rpc.service"); !v.empty()) return v;
  if (std::string db = AttributeText(s, "db.system"); !db.empty()) {
    std::string ns = AttributeText(s, "db.namespace");
    if (ns.empty()) ns = AttributeText(s, "db.name");
    return ns.empty() ? db : db + "/" + ns;
  }
  for (auto key : {"url.full", "http.url"}) {
    if (std::string host_port = UrlHost(AttributeText(s, key)); !host_port.empty()) return host_port;
  }
  return {};
}

uint64_t TemplateIdOf(const store::StoredLog& log) {
  if (log.template_id != 0) return log.template_id;
  std::string scratch;
  return store::LogTemplateOf(store::LogBodyText(log, &scratch)).id;
}

namespace {

std::string TemplateTextOf(const store::StoredLog& log) {
  std::string scratch;
  return store::LogTemplateOf(store::LogBodyText(log, &scratch)).text;
}

void AddTraceSpans(const query::AssembledTrace& t, std::map<OperationKey, Samples>* samples, Baseline* b) {
  std::vector<uint64_t> self = LocalSelfTimes(t);
  for (size_t i = 0; i < t.spans.size(); ++i) {
    const auto& s = t.spans[i];
    OperationKey key = KeyOf(s);
    Samples& x = (*samples)[key];
    ++x.calls;
    x.errors += detail::FailureOf(s).failed ? 1 : 0;
    x.duration.push_back(s.duration_ns);
    x.self.push_back(self[i]);
    ++b->reference_spans[key];
    b->known_services.insert(s.service);
    if (s.kind != store::SpanKind::kClient && s.kind != store::SpanKind::kProducer) {
      std::set<std::string> direct;
      for (size_t c : t.children[i]) {
        const auto& k = t.spans[c];
        if (k.service != s.service && k.parent_span_id == s.span_id) direct.insert(k.service);
      }
      for (const auto& svc : direct) ++b->direct_callees[key][svc];
      continue;
    }
    CalleeBaseline& callee = b->callees[{s.service, s.operation, PeerOf(s)}];
    ++callee.calls;
    for (size_t c : t.children[i]) {
      const auto& k = t.spans[c];
      if (k.service == s.service || k.parent_span_id != s.span_id) continue;
      ++callee.reached;
      ++callee.services[k.service];
      break;
    }
  }
}

void AddTraceLogs(const query::AssembledTrace& t, const std::vector<store::StoredLog>& logs, Baseline* b) {
  auto index = IndexBySpanId(t);
  // Per span, the templates it wrote (each once).
  std::map<size_t, std::map<uint64_t, const store::StoredLog*>> by_span;
  for (const auto& log : logs) {
    uint64_t id = TemplateIdOf(log);
    TemplateBaseline& tb = b->templates[{log.service, id, log.severity_number}];
    if (tb.text.empty()) tb.text = TemplateTextOf(log);
    ++tb.count;
    auto it = index.find(log.span_id);
    if (it != index.end()) by_span[it->second].emplace(id, &log);
  }
  for (const auto& [span, templates] : by_span) {
    auto& presence = b->template_presence[KeyOf(t.spans[span])];
    for (const auto& [id, log] : templates) {
      TemplatePresence& p = presence[id];
      if (p.text.empty()) p.text = TemplateTextOf(*log), p.severity_number = log->severity_number;
      ++p.spans;
    }
  }
}

}  // namespace

Baseline BaselineFromTraces(const std::vector<query::AssembledTrace>& traces,
                            const std::vector<std::vector<store::StoredLog>>& logs) {
  Baseline b;
  std::map<OperationKey, Samples> samples;
  for (size_t k = 0; k < traces.size(); ++k) {
    if (traces[k].spans.empty()) continue;
    ++b.reference_traces;
    AddTraceSpans(traces[k], &samples, &b);
    if (k < logs.size()) AddTraceLogs(traces[k], logs[k], &b);
  }
  for (auto& [key, x] : samples) {
    OperationBaseline& ob = b.operations[key];
    ob.calls = x.calls;
    ob.errors = x.errors;
    ob.duration = QuantilesOf(&x.duration);
    ob.self_time = QuantilesOf(&x.self);
  }
  return b;
}

Baseline BaselineFromStats(const std::vector<store::OperationStats>& operations,
                           const std::vector<store::LogTemplateStats>& templates, uint64_t start_ns,
                           uint64_t end_ns) {
  Baseline b;
  b.start_ns = start_ns;
  b.end_ns = end_ns;
  struct Merged {
    uint64_t calls = 0, errors = 0;
    store::LatencySketch duration, self;
  };
  std::map<OperationKey, Merged> merged;
  for (const auto& row : operations) {
    Merged& m = merged[{row.service, row.operation, row.kind}];
    m.calls += row.calls;
    m.errors += row.errors;
    m.duration.Merge(row.duration);
    m.self.Merge(row.self_time);
    b.known_services.insert(row.service);
  }
  for (const auto& [key, m] : merged) {
    OperationBaseline& ob = b.operations[key];
    ob.calls = m.calls;
    ob.errors = m.errors;
    ob.duration = QuantilesOf(m.duration);
    ob.self_time = QuantilesOf(m.self);
  }
  for (const auto& row : templates) {
    TemplateBaseline& tb = b.templates[{row.service, row.template_id, row.severity_number}];
    if (tb.text.empty()) tb.text = row.template_text;
    tb.count += row.count;
  }
  return b;
}

Baseline MergeBaselines(Baseline stats, const Baseline& refs) {
  for (const auto& [key, ob] : refs.operations) {
    auto it = stats.operations.find(key);
    if (it == stats.operations.end() || it->second.calls < ob.calls) stats.operations[key] = ob;
  }
  for (const auto& [key, tb] : refs.templates) {
    auto [it, added] = stats.templates.emplace(key, tb);
    if (!added && it->second.count < tb.count) it->second.count = tb.count;
  }
  stats.reference_traces = refs.reference_traces;
  stats.reference_spans = refs.reference_spans;
  stats.template_presence = refs.template_presence;
  stats.callees = refs.callees;
  stats.direct_callees = refs.direct_callees;
  stats.known_services.insert(refs.known_services.begin(), refs.known_services.end());
  return stats;
}

}  // namespace callpath::analyze
