#include "daemon/cluster/router.h"

#include <chrono>
#include <mutex>
#include <optional>

#include "daemon/cluster/split_request.h"
#include "daemon/metrics.h"

namespace callpath::daemon::cluster {
namespace {

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr size_t kNone = static_cast<size_t>(-1);

}  // namespace

// One client request in flight: the answers its shares are waiting for.
struct ClusterRouter::Pending {
  Pending(Signal s, Encoding e, std::string_view t, Done d)
      : signal(s), encoding(e), tenant(t), done(std::move(d)) {}

  const Signal signal;
  const Encoding encoding;
  const std::string tenant;
  Done done;

  std::mutex mu;
  int outstanding = 1;  // the dispatcher's own hold, released by Release()
  std::optional<ExportOutcome> refusal;  // the first share refused
  uint64_t rejected = 0;
  std::string message;
  int stored = 0, invalid = 0;

  void Hold() {
    std::lock_guard<std::mutex> lock(mu);
    ++outstanding;
  }
  // A share's answer; nullopt when the share was handed on (rerouted).
  void Finish(std::optional<ExportOutcome> o) {
    std::unique_lock<std::mutex> lock(mu);
    if (o) Merge(std::move(*o));
    if (--outstanding > 0) return;
    ExportOutcome out;
    if (refusal) {
      out = std::move(*refusal);
    } else {
      // Every share rejected all its items: the request as a whole is invalid.
      out.code = stored == 0 && invalid > 0 ? ExportOutcome::Code::kInvalid : ExportOutcome::Code::kOk;
      out.rejected = rejected;
      out.message = std::move(message);
    }
    lock.unlock();
    done(std::move(out));
  }
  void Release() { Finish(std::nullopt); }

 private:
  void Merge(ExportOutcome o) {
    const bool all_rejected = o.code == ExportOutcome::Code::kInvalid && o.rejected > 0;
    if (o.code != ExportOutcome::Code::kOk && !all_rejected) {
      if (!refusal) refusal = std::move(o);
      return;
    }
    ++(all_rejected ? invalid : stored);
    rejected += o.rejected;
    if (!o.message.empty()) {
      if (!message.empty()) message += "; ";
      message += o.message;
    }
  }
};

ClusterRouter::ClusterRouter(const ClusterConfig& config, ExportTarget& local)
    : local_(local),
      ring_([&] {
        std::vector<std::string> names;
        for (const Member& m : config.members) names.push_back(m.name);
        return names;
      }(), config.virtual_nodes),
      down_ns_(static_cast<int64_t>(config.down_seconds) * 1'000'000'000) {
  for (size_t i = 0; i < config.members.size(); ++i) {
    auto state = std::make_unique<MemberState>();
    state->name = config.members[i].name;
    if (state->name == config.node) {
      self_ = i;
    } else {
      state->client = std::make_unique<PeerClient>(config.members[i], config);
    }
    members_.push_back(std::move(state));
  }
}

ClusterRouter::~ClusterRouter() {
  std::unique_lock<std::mutex> lock(calls_mu_);
  calls_cv_.wait(lock, [&] { return calls_ == 0; });
}

bool ClusterRouter::Up(size_t member, uint64_t excluded) const {
  if (member == self_) return true;
  if (member < 64 && (excluded >> member) & 1) return false;
  return members_[member]->down_until_ns.load(std::memory_order_relaxed) <= SteadyNs();
}

void ClusterRouter::MarkDown(size_t member) {
  members_[member]->down_until_ns.store(SteadyNs() + down_ns_, std::memory_order_relaxed);
  members_[member]->failures.fetch_add(1, std::memory_order_relaxed);
}

bool ClusterRouter::SplitFor(Signal signal, Encoding encoding, std::string_view body, uint64_t excluded,
                             Split* out) {
  // Down states are read once per request, not per item.
  std::vector<bool> up(members_.size());
  for (size_t m = 0; m < members_.size(); ++m) up[m] = Up(m, excluded);
  std::vector<uint64_t> rerouted(members_.size());
  RouteFn route = [&](std::string_view id) -> size_t {
    if (id.empty()) return self_;
    size_t owner = kNone;
    size_t m = ring_.FirstUp(id, [&](size_t c) {
      if (owner == kNone) owner = c;
      return up[c];
    });
    if (m != owner) ++rerouted[owner];
    return m;
  };
  const bool parsed = encoding == Encoding::kProtobuf ? SplitProtoRequest(signal, body, route, out)
                                                      : SplitJsonRequest(signal, body, route, out);
  if (!parsed) return false;
  for (size_t m = 0; m < members_.size(); ++m) {
    if (rerouted[m] != 0) members_[m]->rerouted_items[static_cast<int>(signal)].fetch_add(rerouted[m]);
  }
  return true;
}

void ClusterRouter::Export(Signal signal, Encoding encoding, std::string_view tenant, std::string_view body,
                           Done done) {
  Split split;
  if (!SplitFor(signal, encoding, body, 0, &split) || (split.whole && split.single == self_)) {
    // All ours (or undecodable: the local decoder explains why): the
    // body as it came, with no copy.
    return local_.Export(signal, encoding, tenant, body, std::move(done));
  }
  auto p = std::make_shared<Pending>(signal, encoding, tenant, std::move(done));
  Send(p, std::move(split), body, 0);
  p->Release();
}

void ClusterRouter::Send(const std::shared_ptr<Pending>& p, Split split, std::string_view body, uint64_t excluded) {
  if (split.whole) {
    SendShare(p, split.single, body, nullptr, split.items, excluded);
  } else {
    for (Share& s : split.shares) {
      // A remote share keeps its bytes until its call ends: moved, not copied.
      auto owned = std::make_shared<const std::string>(std::move(s.body));
      SendShare(p, s.destination, *owned, owned, s.items, excluded);
    }
  }
}

void ClusterRouter::Reroute(const std::shared_ptr<Pending>& p, std::string_view body, uint64_t excluded) {
  Split split;
  if (!SplitFor(p->signal, p->encoding, body, excluded, &split)) {
    // It parsed when it came in; keep it here rather than lose it.
    split = Split{};
    split.whole = true;
    split.single = self_;
  }
  Send(p, std::move(split), body, excluded);
}

void ClusterRouter::SendShare(const std::shared_ptr<Pending>& p, size_t member, std::string_view body,
                              std::shared_ptr<const std::string> owned, uint64_t items, uint64_t excluded) {
  p->Hold();
  if (member == self_) {
    local_.Export(p->signal, p->encoding, p->tenant, body, [p](ExportOutcome o) { p->Finish(std::move(o)); });
    return;
  }
  {
    std::lock_guard<std::mutex> lock(calls_mu_);
    ++calls_;
  }
  if (owned == nullptr) owned = std::make_shared<const std::string>(body);
  members_[member]->client->Export(p->signal, p->encoding, p->tenant, owned,
                                   [this, p, member, items, excluded, owned](ForwardResult r) {
                                     OnForwarded(p, member, items, excluded, *owned, std::move(r));
                                     std::lock_guard<std::mutex> lock(calls_mu_);
                                     if (--calls_ == 0) calls_cv_.notify_all();
                                   });
}

void ClusterRouter::OnForwarded(const std::shared_ptr<Pending>& p, size_t member, uint64_t items,
                                uint64_t excluded, std::string_view body, ForwardResult r) {
  if (!r.unreachable) {
    if (r.outcome.code == ExportOutcome::Code::kOk) {
      members_[member]->forwarded_items[static_cast<int>(p->signal)].fetch_add(items);
    }
    return p->Finish(std::move(r.outcome));
  }
  MarkDown(member);
  // Hand the share on before letting go of this one, so the request
  // cannot complete in between.
  Reroute(p, body, excluded | (member < 64 ? uint64_t{1} << member : 0));
  p->Finish(std::nullopt);
}

void ClusterRouter::RenderMetrics(std::string& out) const {
  // Member names are checked to be plain (FinishClusterConfig), so they
  // go into labels unescaped.
  auto label = [](const std::string& node) { return "node=\"" + node + "\""; };
  const int64_t now = SteadyNs();
  AppendMetricHeader(out, "callpathd_cluster_peer_up", "gauge",
                     "1 while the member is considered reachable, 0 while it is skipped.");
  for (const auto& m : members_) {
    AppendMetricLine(out, "callpathd_cluster_peer_up", label(m->name),
                     m->client == nullptr || m->down_until_ns.load() <= now ? 1 : 0);
  }
  struct Counter {
    const char* name;
    const char* help;
    int signal;  // -1: failures
    bool rerouted;
  };
  const Counter counters[] = {
      {"callpathd_cluster_forwarded_spans_total", "Spans sent to their owner and acknowledged by it.", 0, false},
      {"callpathd_cluster_forwarded_log_records_total",
       "Log records sent to their trace's owner and acknowledged by it.", 1, false},
      {"callpathd_cluster_rerouted_spans_total",
       "Spans owned by the member that went to the next member up instead.", 0, true},
      {"callpathd_cluster_rerouted_log_records_total",
       "Log records owned by the member that went to the next member up instead.", 1, true},
      {"callpathd_cluster_forward_failures_total",
       "Forwarded calls to the member that failed (unreachable or too slow); each marks it down.", -1, false},
  };
  for (const Counter& c : counters) {
    AppendMetricHeader(out, c.name, "counter", c.help);
    for (const auto& m : members_) {
      uint64_t v = c.signal < 0 ? m->failures.load()
                   : c.rerouted ? m->rerouted_items[c.signal].load()
                                : m->forwarded_items[c.signal].load();
      AppendMetricLine(out, c.name, label(m->name), v);
    }
  }
}

}  // namespace callpath::daemon::cluster
