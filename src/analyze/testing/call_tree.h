// Test support (header only, used by src/analyze tests and bench/analyze):
// synthetic traces written as a call tree, laid out in time, with logs.
//
//   CallTree shop = ShopTree();                   // a healthy request
//   shop.Find("fraud", "Check")->self_ns *= 6;    // inject a fault
//   Built b = Build(shop, /*seed=*/1);            // spans and logs
//   query::AssembledTrace t = query::AssembleTrace(b.spans);
//
// Children run one after another inside their parent: a span's duration is
// its self time plus its children's, unless `duration_ns` overrides it (a
// caller that gives up at its deadline). `seed` varies every self time by
// up to ±10 % and gives the trace its id, so healthy references differ.
#pragma once

#include <cstdint>
#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/model.h"

namespace callpath::analyze::testing {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kT0 = 1'800'000'000'000'000'000ull;

struct LogLine {
  int32_t severity = 9;  // INFO
  std::string message;
};

struct CallTree {
  std::string service;
  std::string operation;
  store::SpanKind kind = store::SpanKind::kServer;
  uint64_t self_ns = 1 * kMs;
  std::optional<uint64_t> duration_ns;  // overrides self + children
  store::SpanStatus status = store::SpanStatus::kUnset;
  std::string status_message;
  store::Attributes attributes;
  std::vector<LogLine> logs;
  bool dropped = false;  // left out with everything below it (a crash)
  std::vector<CallTree> children;

  CallTree& Add(CallTree child) {
    children.push_back(std::move(child));
    return children.back();
  }
  // The first node (depth first) with this service and operation.
  CallTree* Find(const std::string& svc, const std::string& op) {
    if (service == svc && operation == op) return this;
    for (auto& c : children) {
      if (CallTree* f = c.Find(svc, op)) return f;
    }
    return nullptr;
  }
  // Calls `fn` on every node.
  void ForEach(const std::function<void(CallTree&)>& fn) {
    fn(*this);
    for (auto& c : children) c.ForEach(fn);
  }
};

inline CallTree Node(std::string service, std::string op, store::SpanKind kind, double self_ms) {
  CallTree n;
  n.service = std::move(service);
  n.operation = std::move(op);
  n.kind = kind;
  n.self_ns = static_cast<uint64_t>(self_ms * static_cast<double>(kMs));
  return n;
}

// A client span of `caller` to `callee` (peer.service set) and the
// callee's server span under it; returns the server node.
inline CallTree& Call(CallTree& parent, const std::string& callee, const std::string& op, double server_self_ms) {
  CallTree& client = parent.Add(Node(parent.service, op, store::SpanKind::kClient, 0.3));
  client.attributes.push_back({"peer.service", store::Value::String(callee)});
  return client.Add(Node(callee, op, store::SpanKind::kServer, server_self_ms));
}

inline CallTree& DbCall(CallTree& parent, const std::string& statement, double ms) {
  CallTree& db = parent.Add(Node(parent.service, statement, store::SpanKind::kClient, ms));
  db.attributes.push_back({"db.system", store::Value::String("postgresql")});
  return db;
}

// frontend GET /checkout
//   -> cart GetCart (cache.get on redis, SELECT carts)
//   -> payment Charge (Authorize, INSERT charges: normally the slowest
//      span at 40 ms, fraud Check)
// payment logs "payment authorised for order <n>" in Charge; fraud logs
// its risk score.
inline CallTree ShopTree() {
  CallTree root = Node("frontend", "GET /checkout", store::SpanKind::kServer, 2);
  CallTree& cart = Call(root, "cart", "GetCart", 1);
  CallTree& cache = cart.Add(Node("cart", "cache.get", store::SpanKind::kClient, 1));
  cache.attributes.push_back({"db.system", store::Value::String("redis")});
  DbCall(cart, "SELECT carts", 8);
  CallTree& pay = Call(root, "payment", "Charge", 2);
  pay.logs.push_back({9, "payment authorised for order 1234"});
  pay.Add(Node("payment", "Authorize", store::SpanKind::kInternal, 5));
  DbCall(pay, "INSERT charges", 40);
  CallTree& fraud = Call(pay, "fraud", "Check", 5);
  fraud.logs.push_back({9, "risk score 0.12 for order 1234"});
  return root;
}

struct Built {
  std::vector<store::StoredSpan> spans;
  std::vector<store::StoredLog> logs;
  TraceId trace_id;
};

namespace detail {

struct Layout {
  Built* out;
  uint32_t seed;
  TraceId trace_id;
  uint32_t next_id = 1;

  uint64_t Jitter(uint64_t ns) {
    uint32_t h = (seed * 2654435761u) ^ (next_id * 40503u);
    double f = 0.9 + 0.2 * static_cast<double>(h % 1000) / 1000.0;
    return static_cast<uint64_t>(static_cast<double>(ns) * f);
  }

  // Lays out `n` from `start`; returns its end.
  uint64_t Place(const CallTree& n, const SpanId& parent, uint64_t start, bool dropping = false) {
    dropping = dropping || n.dropped;
    store::StoredSpan s;
    s.trace_id = trace_id;
    uint32_t id = next_id++;
    s.span_id.mutable_bytes()[4] = static_cast<uint8_t>(id >> 24);
    s.span_id.mutable_bytes()[5] = static_cast<uint8_t>(id >> 16);
    s.span_id.mutable_bytes()[6] = static_cast<uint8_t>(id >> 8);
    s.span_id.mutable_bytes()[7] = static_cast<uint8_t>(id);
    s.parent_span_id = parent;
    s.service = n.service;
    s.operation = n.operation;
    s.kind = n.kind;
    s.status = n.status;
    s.status_message = n.status_message;
    s.attributes = n.attributes;
    s.resource_attributes = {{"service.name", store::Value::String(n.service)}};
    s.start_ns = start;
    uint64_t self = Jitter(n.self_ns);
    uint64_t cursor = start + self / 2;
    for (const auto& c : n.children) {
      uint64_t end = Place(c, s.span_id, cursor, dropping);
      cursor = std::max(cursor, end);
    }
    s.duration_ns = n.duration_ns ? *n.duration_ns : cursor + (self - self / 2) - start;
    for (size_t k = 0; k < n.logs.size(); ++k) {
      store::StoredLog l;
      l.time_ns = start + self / 4 + k;
      l.trace_id = trace_id;
      l.span_id = s.span_id;
      l.severity_number = n.logs[k].severity;
      l.body = store::Value::String(n.logs[k].message);
      l.service = n.service;
      out->logs.push_back(std::move(l));
    }
    uint64_t end = s.end_ns();
    if (!dropping) out->spans.push_back(std::move(s));
    return end;
  }
};

}  // namespace detail

// Spans and logs of `tree` as one trace; `seed` varies times and the id.
// Nodes marked `dropped` leave no span, and neither does anything below
// them (their logs stay: a crashing process may still ship its last words).
inline Built Build(const CallTree& tree, uint32_t seed, uint64_t t0 = kT0) {
  Built b;
  b.trace_id.mutable_bytes()[0] = 0x7a;
  b.trace_id.mutable_bytes()[12] = static_cast<uint8_t>(seed >> 24);
  b.trace_id.mutable_bytes()[13] = static_cast<uint8_t>(seed >> 16);
  b.trace_id.mutable_bytes()[14] = static_cast<uint8_t>(seed >> 8);
  b.trace_id.mutable_bytes()[15] = static_cast<uint8_t>(seed);
  detail::Layout layout{&b, seed, b.trace_id};
  layout.Place(tree, SpanId(), t0 + static_cast<uint64_t>(seed) * 1000 * kMs);
  return b;
}

// Moves every span (and log) of `service` by `offset_ns`: its host clock is off.
inline void SkewClock(Built* b, const std::string& service, int64_t offset_ns) {
  for (auto& s : b->spans) {
    if (s.service == service) s.start_ns = static_cast<uint64_t>(static_cast<int64_t>(s.start_ns) + offset_ns);
  }
  for (auto& l : b->logs) {
    if (l.service == service) l.time_ns = static_cast<uint64_t>(static_cast<int64_t>(l.time_ns) + offset_ns);
  }
}

// Clears every span's status and HTTP/gRPC codes: an SDK that sets none.
inline void StripStatus(CallTree* tree) {
  tree->ForEach([](CallTree& n) {
    n.status = store::SpanStatus::kUnset;
    n.status_message.clear();
  });
}

}  // namespace callpath::analyze::testing
