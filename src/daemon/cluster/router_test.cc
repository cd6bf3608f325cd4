#include "daemon/cluster/router.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <random>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace callpath::daemon::cluster {
namespace {

namespace pb = opentelemetry::proto;

// The local ExportService stand-in: records what it is given.
class RecordingTarget : public ExportTarget {
 public:
  void Export(Signal, Encoding, std::string_view tenant, std::string_view body, Done done) override {
    pb::collector::trace::v1::ExportTraceServiceRequest req;
    EXPECT_TRUE(req.ParseFromString(std::string(body)));
    uint64_t spans = 0;
    for (const auto& rs : req.resource_spans())
      for (const auto& ss : rs.scope_spans()) spans += ss.spans_size();
    {
      std::lock_guard<std::mutex> lock(mu);
      bodies.emplace_back(body);
      tenants.emplace_back(tenant);
      this->spans += spans;
    }
    done(ExportOutcome{ExportOutcome::Code::kOk, reject_each, reject_each ? "bad span" : ""});
  }
  std::mutex mu;
  std::vector<std::string> bodies, tenants;
  uint64_t spans = 0;
  uint64_t reject_each = 0;
};

// A peer on a port nothing listens on: every forward fails at connect.
ClusterConfig TwoNodes() {
  ClusterConfig c;
  c.node = "self";
  c.members = {{"self", "127.0.0.1:4317"}, {"gone", "127.0.0.1:1"}};
  c.down_seconds = 3600;
  c.forward_timeout_seconds = 5;
  EXPECT_TRUE(FinishClusterConfig(&c).ok());
  return c;
}

std::string ManyTraces(int traces) {
  std::mt19937_64 rng(11);
  pb::collector::trace::v1::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  for (int t = 0; t < traces; ++t) {
    std::string id(16, '\0');
    for (char& c : id) c = static_cast<char>(rng());
    for (int s = 0; s < 2; ++s) {
      auto* span = ss->add_spans();
      span->set_trace_id(id);
      span->set_span_id(std::string(7, 'x') + static_cast<char>(s));
    }
  }
  return req.SerializeAsString();
}

ExportOutcome ExportAndWait(ExportTarget& target, const std::string& body, std::string_view tenant = "") {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<ExportOutcome> got;
  target.Export(Signal::kTraces, Encoding::kProtobuf, tenant, body, [&](ExportOutcome o) {
    std::lock_guard<std::mutex> lock(mu);
    got = std::move(o);
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return got.has_value(); });
  return *got;
}

TEST(ClusterRouterTest, StoresTheShareOfAnUnreachablePeerLocallyAndCountsIt) {
  RecordingTarget local;
  ClusterRouter router(TwoNodes(), local);
  ExportOutcome o = ExportAndWait(router, ManyTraces(40), "team-a");
  EXPECT_EQ(o.code, ExportOutcome::Code::kOk) << o.message;
  EXPECT_EQ(local.spans, 80u) << "every span stored, none lost with the peer";
  for (const std::string& t : local.tenants) EXPECT_EQ(t, "team-a");
  std::string metrics;
  router.RenderMetrics(metrics);
  EXPECT_NE(metrics.find("callpathd_cluster_peer_up{node=\"gone\"} 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("callpathd_cluster_forward_failures_total{node=\"gone\"} 1"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("callpathd_cluster_rerouted_spans_total{node=\"gone\"} 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("callpathd_cluster_forwarded_spans_total{node=\"gone\"} 0"), std::string::npos) << metrics;
}

TEST(ClusterRouterTest, PassesTheBodyThroughUnchangedWhileThePeerIsDown) {
  RecordingTarget local;
  ClusterRouter router(TwoNodes(), local);
  (void)ExportAndWait(router, ManyTraces(10));  // marks the peer down
  local.bodies.clear();
  const std::string body = ManyTraces(10);
  EXPECT_EQ(ExportAndWait(router, body).code, ExportOutcome::Code::kOk);
  ASSERT_EQ(local.bodies.size(), 1u);
  EXPECT_EQ(local.bodies[0], body);
}

TEST(ClusterRouterTest, SumsPartialSuccessOfEveryShare) {
  RecordingTarget local;
  local.reject_each = 2;
  ClusterConfig c = TwoNodes();
  ClusterRouter router(c, local);
  ExportOutcome o = ExportAndWait(router, ManyTraces(40));
  EXPECT_EQ(o.code, ExportOutcome::Code::kOk);
  // The local share and the peer's rerouted share: two local calls.
  EXPECT_EQ(local.bodies.size(), 2u);
  EXPECT_EQ(o.rejected, 4u);
  EXPECT_EQ(o.message, "bad span; bad span");
}

TEST(ClusterRouterTest, LeavesUndecodableBodiesToTheLocalDecoder) {
  std::string bad("\x0a\x50\x12", 3);
  bool called = false;
  ExportOutcome got;
  struct Refusing : ExportTarget {
    void Export(Signal, Encoding, std::string_view, std::string_view, Done done) override {
      done(ExportOutcome{ExportOutcome::Code::kInvalid, 0, "undecodable"});
    }
  } refusing;
  ClusterRouter router(TwoNodes(), refusing);
  router.Export(Signal::kTraces, Encoding::kProtobuf, "", bad, [&](ExportOutcome o) {
    called = true;
    got = o;
  });
  EXPECT_TRUE(called);
  EXPECT_EQ(got.code, ExportOutcome::Code::kInvalid);
}

}  // namespace
}  // namespace callpath::daemon::cluster
