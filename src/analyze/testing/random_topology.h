// Test support (header only): random microservice topologies as call
// trees, and the faults explain must find in them, each with the culprit
// it must name first. Deterministic for a seed.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "analyze/testing/call_tree.h"

namespace callpath::analyze::testing {

enum class FaultCase {
  kLeafError,
  kBenignErrorBesideFault,
  kLatency,
  kSlowMiddle,
  kTimeoutCascade,
  kCrash,
  kRetrySucceeded,
  kSkewElsewhere,
  kNoisyNeighbour,
  kLogError,
  kMissingLog,
};
inline constexpr FaultCase kAllFaultCases[] = {
    FaultCase::kLeafError,      FaultCase::kBenignErrorBesideFault, FaultCase::kLatency,
    FaultCase::kSlowMiddle,     FaultCase::kTimeoutCascade,         FaultCase::kCrash,
    FaultCase::kRetrySucceeded, FaultCase::kSkewElsewhere,          FaultCase::kNoisyNeighbour,
    FaultCase::kLogError,       FaultCase::kMissingLog};

inline const char* FaultCaseName(FaultCase c) {
  switch (c) {
    case FaultCase::kLeafError: return "leaf error";
    case FaultCase::kBenignErrorBesideFault: return "benign error beside the fault";
    case FaultCase::kLatency: return "latency";
    case FaultCase::kSlowMiddle: return "slow middle";
    case FaultCase::kTimeoutCascade: return "timeout cascade";
    case FaultCase::kCrash: return "crash";
    case FaultCase::kRetrySucceeded: return "retry succeeded";
    case FaultCase::kSkewElsewhere: return "skew elsewhere";
    case FaultCase::kNoisyNeighbour: return "noisy neighbour";
    case FaultCase::kLogError: return "log error";
    case FaultCase::kMissingLog: return "missing log";
  }
  return "?";
}

struct Scenario {
  CallTree healthy;        // what the baseline's traffic looks like
  CallTree faulty;         // the request to explain
  std::string service;     // the culprit
  std::optional<std::string> operation;  // nullopt: no span exists
  // The healthy copy k of the baseline's traffic (a benign error in some).
  std::function<void(int, CallTree&)> vary;
  std::string skewed_service;  // "" = none
  bool no_status = false;
};

namespace detail {

struct Gen {
  std::mt19937 rng;
  int services = 0;

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

  // A service's server span and what it does: internal work, database
  // calls, calls to new services further down.
  CallTree Service(int depth) {
    std::string name = "svc-" + std::to_string(services++);
    CallTree server = Node(name, "handle-" + std::to_string(Uniform(0, 2)), store::SpanKind::kServer, Uniform(1, 8));
    server.logs.push_back({9, "processed request " + std::to_string(Uniform(1, 9999))});
    if (Chance(0.5)) server.Add(Node(name, "compute", store::SpanKind::kInternal, Uniform(1, 15)));
    if (Chance(0.5)) {
      CallTree& db = server.Add(Node(name, "SELECT rows", store::SpanKind::kClient, Uniform(2, 60)));
      db.attributes.push_back({"db.system", store::Value::String("postgresql")});
    }
    int calls = depth >= 3 ? 0 : Uniform(depth == 0 ? 2 : 0, 3);
    for (int k = 0; k < calls && services < 14; ++k) {
      CallTree callee = Service(depth + 1);
      CallTree& client = server.Add(Node(name, "call " + callee.service, store::SpanKind::kClient, 0.4));
      client.attributes.push_back({"peer.service", store::Value::String(callee.service)});
      client.children.push_back(std::move(callee));
    }
    return server;
  }
};

// Paths to nodes (indexes of children from the root), by predicate.
inline void Collect(const CallTree& n, std::vector<size_t>& path, const std::function<bool(const CallTree&)>& want,
                    std::vector<std::vector<size_t>>* out) {
  if (want(n)) out->push_back(path);
  for (size_t k = 0; k < n.children.size(); ++k) {
    path.push_back(k);
    Collect(n.children[k], path, want, out);
    path.pop_back();
  }
}

inline CallTree* At(CallTree& root, const std::vector<size_t>& path) {
  CallTree* n = &root;
  for (size_t k : path) n = &n->children[k];
  return n;
}

inline void FailPath(CallTree& root, const std::vector<size_t>& path, const std::string& message) {
  CallTree* n = &root;
  n->status = store::SpanStatus::kError;
  n->status_message = message;
  for (size_t k : path) {
    n = &n->children[k];
    n->status = store::SpanStatus::kError;
    n->status_message = message;
  }
}

}  // namespace detail

// One random topology with fault `c`.
inline Scenario MakeScenario(FaultCase c, uint32_t seed) {
  detail::Gen g{std::mt19937(seed)};
  Scenario s;
  s.healthy = g.Service(0);
  s.faulty = s.healthy;
  CallTree& f = s.faulty;
  auto pick = [&](const std::function<bool(const CallTree&)>& want) {
    std::vector<std::vector<size_t>> found;
    std::vector<size_t> path;
    detail::Collect(f, path, want, &found);
    return found.empty() ? std::vector<size_t>{} : found[static_cast<size_t>(g.Uniform(0, static_cast<int>(found.size()) - 1))];
  };
  auto is_server = [](const CallTree& n) { return n.kind == store::SpanKind::kServer; };
  auto is_call = [](const CallTree& n) { return n.kind == store::SpanKind::kClient && !n.children.empty(); };
  auto blame = [&](const CallTree& n) {
    s.service = n.service;
    s.operation = n.operation;
  };
  switch (c) {
    case FaultCase::kLeafError:
    case FaultCase::kBenignErrorBesideFault: {
      auto path = pick([](const CallTree& n) { return n.children.empty() || n.kind == store::SpanKind::kServer; });
      blame(*detail::At(f, path));
      detail::FailPath(f, path, "boom");
      if (c == FaultCase::kBenignErrorBesideFault) {
        auto benign = pick([&](const CallTree& n) { return n.children.empty() && n.service != s.service; });
        if (benign.empty()) benign = {};
        CallTree* b = detail::At(f, benign);
        if (b != &f) {
          b->status = store::SpanStatus::kError;
          b->status_message = "not found";
          std::string svc = b->service, op = b->operation;
          s.vary = [svc, op](int k, CallTree& t) {
            if (k % 5 >= 2) return;
            t.ForEach([&](CallTree& n) {
              if (n.service == svc && n.operation == op) n.status = store::SpanStatus::kError;
            });
          };
        }
      }
      break;
    }
    case FaultCase::kLatency:
    case FaultCase::kSkewElsewhere: {
      auto path = pick([](const CallTree&) { return true; });
      CallTree* n = detail::At(f, path);
      n->self_ns += static_cast<uint64_t>(g.Uniform(60, 400)) * kMs;
      blame(*n);
      if (c == FaultCase::kSkewElsewhere) {
        auto other = pick([&](const CallTree& x) { return x.kind == store::SpanKind::kServer && x.service != s.service; });
        if (!other.empty()) s.skewed_service = detail::At(f, other)->service;
      }
      break;
    }
    case FaultCase::kSlowMiddle: {
      auto path = pick([](const CallTree& n) { return n.kind == store::SpanKind::kServer && n.children.size() >= 1; });
      CallTree* n = detail::At(f, path);
      n->self_ns += static_cast<uint64_t>(g.Uniform(80, 400)) * kMs;
      blame(*n);
      break;
    }
    case FaultCase::kTimeoutCascade:
    case FaultCase::kRetrySucceeded: {
      auto path = pick(is_call);
      CallTree* call = detail::At(f, path);
      CallTree* server = &call->children[0];
      blame(*server);
      CallTree attempt = *call;
      attempt.status = store::SpanStatus::kError;
      if (c == FaultCase::kTimeoutCascade) {
        attempt.duration_ns = 500 * kMs;
        attempt.status_message = "deadline exceeded";
        attempt.children[0].self_ns += 2'000 * kMs;
        *call = attempt;  // and its retry times out the same way
        auto parent = path;
        parent.pop_back();
        CallTree* p = detail::At(f, parent);
        p->children.insert(p->children.begin() + static_cast<long>(path.back()), attempt);
        detail::FailPath(f, parent, "upstream timeout");
      } else {
        attempt.status_message = "HTTP 503";
        attempt.children[0].status = store::SpanStatus::kError;
        attempt.children[0].status_message = "overloaded";
        attempt.children[0].self_ns += 150 * kMs;
        auto parent = path;
        parent.pop_back();
        CallTree* p = detail::At(f, parent);
        p->children.insert(p->children.begin() + static_cast<long>(path.back()), attempt);
      }
      break;
    }
    case FaultCase::kCrash: {
      auto path = pick(is_call);
      CallTree* call = detail::At(f, path);
      s.service = call->children[0].service;
      s.operation.reset();
      call->children[0].dropped = true;
      auto parent = path;
      detail::FailPath(f, parent, "connection reset by peer");
      break;
    }
    case FaultCase::kNoisyNeighbour: {
      auto path = pick(is_server);
      std::string svc = detail::At(f, path)->service;
      s.service = svc;
      f.ForEach([&](CallTree& n) {
        if (n.service == svc) n.self_ns = n.self_ns * 3 + 20 * kMs;
      });
      s.operation.reset();  // any of its operations
      break;
    }
    case FaultCase::kLogError:
    case FaultCase::kMissingLog: {
      s.no_status = true;
      auto path = pick(is_server);
      CallTree* n = detail::At(f, path);
      blame(*n);
      if (c == FaultCase::kLogError) {
        n->logs.push_back({17, "request " + std::to_string(g.Uniform(1, 999)) + " failed: invalid state"});
      } else {
        n->logs.clear();
      }
      break;
    }
  }
  return s;
}

}  // namespace callpath::analyze::testing
