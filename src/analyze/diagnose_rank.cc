#include "analyze/diagnose_rank.h"

#include <algorithm>
#include <deque>
#include <map>

namespace callpath::analyze {
namespace {

constexpr int kFamilies = 3;

int Index(SignalFamily f) { return static_cast<int>(f); }

// A symptom that a callee may have caused counts for less than the
// service's own behaviour.
double Weight(const Finding& f) { return f.strength * (f.own ? 1.0 : 0.4); }

double NoisyOr(double a, double b) { return 1 - (1 - a) * (1 - b); }

// Findings of one family are rarely independent (one slow process slows all
// its operations, and their durations with them): the strongest counts in
// full, each next one half as much as the one before.
double Combine(std::vector<double> weights) {
  std::sort(weights.rbegin(), weights.rend());
  double miss = 1, share = 1;
  for (double w : weights) {
    miss *= 1 - w * share;
    share *= 0.5;
  }
  return 1 - miss;
}

struct ServiceScore {
  double family[kFamilies] = {0, 0, 0};
  std::vector<double> weights[kFamilies];
  std::vector<const Finding*> findings;  // strongest first
  double Calls() const { return NoisyOr(family[0], family[1]); }
  double final_score = 0;
};

using Adjacency = std::map<std::string, std::vector<std::string>>;

// Every service reachable from `from` (not itself, unless on a cycle).
std::vector<std::string> Reach(const Adjacency& graph, const std::string& from) {
  std::vector<std::string> out;
  std::set<std::string> seen{from};
  std::deque<std::string> queue{from};
  while (!queue.empty()) {
    auto it = graph.find(queue.front());
    queue.pop_front();
    if (it == graph.end()) continue;
    for (const auto& next : it->second) {
      if (seen.insert(next).second) {
        out.push_back(next);
        queue.push_back(next);
      }
    }
  }
  return out;
}

// How much of `self`'s latency/failure score the services below it show.
double ExplainedByCallees(const ServiceScore& self, const std::vector<std::string>& below,
                          const std::map<std::string, ServiceScore>& scores, const RankContext& context) {
  double mine = self.Calls();
  int dominant = self.family[0] >= self.family[1] ? 0 : 1, other = 1 - dominant;
  double explained = 0;
  for (const auto& d : below) {
    auto it = scores.find(d);
    if (it == scores.end()) continue;
    const ServiceScore& s = it->second;
    // A callee that is slow makes its callers time out and log errors, and
    // a failing one makes them retry and slow down: the other family
    // explains too, less surely. A silent callee explains its callers'
    // failures entirely.
    double shown = std::max(
        {s.family[dominant], 0.6 * s.family[other],
         context.silent.count(d) && !context.abandoned.count(d) ? s.family[Index(SignalFamily::kTraffic)] : 0.0});
    explained = std::max(explained, std::min(1.0, shown / mine));
  }
  return explained;
}

// How much of `self`'s missing calls the services above it explain.
double ExplainedByCallers(const ServiceScore& self, bool self_silent, const std::vector<std::string>& above,
                          const std::map<std::string, ServiceScore>& scores) {
  double mine = self.family[Index(SignalFamily::kTraffic)];
  double explained = 0;
  for (const auto& p : above) {
    auto it = scores.find(p);
    if (it == scores.end()) continue;
    double shown = it->second.family[Index(SignalFamily::kTraffic)];
    if (!self_silent) shown = std::max(shown, 0.8 * it->second.Calls());
    explained = std::max(explained, std::min(1.0, shown / mine));
  }
  return explained;
}

Cause CauseOf(const std::string& service, const ServiceScore& s) {
  Cause c;
  c.service = service;
  const Finding& top = *s.findings.front();
  c.kind = top.kind;
  if (!top.operation.empty()) c.operation = top.operation;
  c.score = s.final_score;
  c.summary = top.summary;
  for (size_t i = 0; i < s.findings.size() && c.evidence.size() < 6; ++i) {
    for (const auto& e : s.findings[i]->evidence) {
      if (c.evidence.size() < 6) c.evidence.push_back(e);
    }
  }
  return c;
}

}  // namespace

RankedCauses RankCauses(const std::vector<Finding>& findings, const RankContext& context,
                        const DiagnoseOptions& options) {
  std::map<std::string, ServiceScore> scores;
  for (const auto& f : findings) {
    ServiceScore& s = scores[f.service];
    s.weights[Index(f.family)].push_back(Weight(f));
    s.findings.push_back(&f);
  }
  for (auto& [service, s] : scores) {
    for (int k = 0; k < kFamilies; ++k) s.family[k] = Combine(s.weights[k]);
  }
  Adjacency down, up;
  for (const auto& d : context.dependencies) {
    if (d.parent == d.child) continue;
    down[d.parent].push_back(d.child);
    up[d.child].push_back(d.parent);
  }
  for (auto& [service, s] : scores) {
    double calls = s.Calls(), traffic = s.family[Index(SignalFamily::kTraffic)];
    if (calls > 0) {
      double e = ExplainedByCallees(s, Reach(down, service), scores, context);
      calls *= 1 - 0.8 * e * e;
    }
    if (traffic > 0) {
      double e = context.abandoned.count(service)
                     ? 1.0
                     : ExplainedByCallers(s, context.silent.count(service) > 0, Reach(up, service), scores);
      traffic *= 1 - 0.8 * e * e;
    }
    s.final_score = NoisyOr(calls, traffic);
    std::stable_sort(s.findings.begin(), s.findings.end(),
                     [](const Finding* a, const Finding* b) { return Weight(*a) > Weight(*b); });
  }
  std::set<std::string> in_scope;
  if (!options.service.empty()) {
    in_scope.insert(options.service);
    for (auto& s : Reach(down, options.service)) in_scope.insert(s);
  }
  std::vector<std::pair<std::string, const ServiceScore*>> order;
  for (const auto& [service, s] : scores) {
    if (s.final_score < options.min_score) continue;
    if (!in_scope.empty() && !in_scope.count(service)) continue;
    order.emplace_back(service, &s);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second->final_score > b.second->final_score; });
  RankedCauses out;
  for (size_t i = 0; i < order.size() && i < options.max_causes; ++i) {
    Cause c = CauseOf(order[i].first, *order[i].second);
    c.rank = static_cast<int>(i + 1);
    out.causes.push_back(std::move(c));
    out.queries.push_back(order[i].second->findings.front()->example);
  }
  return out;
}

}  // namespace callpath::analyze
