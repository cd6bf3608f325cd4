// Several callpathd nodes on one machine, each trace owned by one of them
// (daemon/cluster/): requests sent to any node land whole on the trace's
// owner, log records follow their trace, a node killed with SIGKILL loses
// nothing that was acknowledged, forwarding works over TLS with the
// cluster key, and the forwarding marker gives an ordinary client nothing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "daemon/daemon_harness.h"
#include "daemon/grpc_call.h"
#include "daemon/otlp_fixtures.h"
#include "daemon/test_certificates.h"
#include "store/clickhouse/testing/test_server.h"

namespace callpath::testing {
namespace {

using store::testing::TestClickHouse;
using TraceRequest = otlpv1::collector::trace::v1::ExportTraceServiceRequest;

const char kClusterKey[] = "cluster-key-for-tests";

// A port free right now (the cluster's member list must name ports before
// the nodes start).
uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// Nodes "a", "b", "c", ... sharing one config file.
class Cluster {
 public:
  Cluster(int n, const std::string& extra_yaml = {}, std::vector<std::string> extra_flags = {})
      : nodes_(n), extra_flags_(std::move(extra_flags)) {
    std::ofstream(dir_.path() + "/cluster.key") << kClusterKey << "\n";
    std::string yaml = extra_yaml + "cluster:\n  down_for: 2s\n  forward_timeout: 5s\n  key_file: " + dir_.path() +
                       "/cluster.key\n  members:\n";
    for (int i = 0; i < n; ++i) {
      ports_.push_back(FreePort());
      yaml += "    - {name: " + Name(i) + ", address: \"127.0.0.1:" + std::to_string(ports_[i]) + "\"}\n";
    }
    config_ = dir_.path() + "/cluster.yaml";
    std::ofstream(config_) << yaml;
  }

  static std::string Name(int i) { return std::string(1, static_cast<char>('a' + i)); }
  const std::string& dir() const { return dir_.path(); }

  bool Start(int i) {
    std::vector<std::string> flags = {"--config", config_, "--cluster-node", Name(i), "--otlp-grpc-listen",
                                      "127.0.0.1:" + std::to_string(ports_[i])};
    flags.insert(flags.end(), extra_flags_.begin(), extra_flags_.end());
    return nodes_[i].Start(dir_.path() + "/data-" + Name(i), flags);
  }
  bool StartAll() {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (!Start(static_cast<int>(i))) return false;
    }
    return true;
  }
  DaemonProcess& node(int i) { return nodes_[i]; }
  int size() const { return static_cast<int>(nodes_.size()); }
  std::string error() const {
    std::string e;
    for (const auto& n : nodes_) e += n.error() + " ";
    return e;
  }

 private:
  TempDir dir_;
  std::vector<DaemonProcess> nodes_;
  std::vector<uint16_t> ports_;
  std::vector<std::string> extra_flags_;
  std::string config_;
};

// Distinct span ids of the trace as node `query_port` reads it (0 when it
// has none).
size_t SpansOf(uint16_t query_port, const std::string& hex_id) {
  HttpResult r = HttpCall(query_port, "GET", "/api/v1/traces/" + hex_id);
  if (r.status != 200) return 0;
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (parser.parse(r.body)["spans"].get_array().get(list) != simdjson::SUCCESS) return 0;
  std::set<std::string> ids;
  for (auto s : list) {
    std::string_view id;
    if (s["span_id"].get_string().get(id) == simdjson::SUCCESS) ids.emplace(id);
  }
  return ids.size();
}

// The value of one metric line ("name{labels}") in node's /metrics, or -1.
double Metric(uint16_t query_port, const std::string& series) {
  HttpResult r = HttpCall(query_port, "GET", "/metrics");
  size_t at = r.body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(r.body.substr(at + series.size() + 2));
}

// One request holding `spans` spans of each of `ids`.
std::string TracesRequest(const std::vector<std::string>& ids, int spans, std::mt19937_64& rng) {
  TraceRequest req;
  for (const std::string& id : ids) req.MergeFrom(MakeTraceRequest(id, spans, "cluster-svc", NowNs(), rng));
  return req.SerializeAsString();
}

HttpResult PostProto(uint16_t port, const std::string& path, const std::string& body) {
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  return HttpCall(port, "POST", path, body, o);
}

// Which node holds each trace whole (`spans` spans); -1 for none, -2 for
// more than one. Polls until every trace is found or 30 s pass.
std::vector<int> Owners(Cluster& c, const std::vector<std::string>& ids, size_t spans) {
  std::vector<int> owner(ids.size(), -1);
  for (int attempt = 0; attempt < 60; ++attempt) {
    bool all = true;
    for (size_t t = 0; t < ids.size(); ++t) {
      owner[t] = -1;
      for (int n = 0; n < c.size(); ++n) {
        size_t got = SpansOf(c.node(n).query_port(), Hex(ids[t]));
        if (got == 0) continue;
        owner[t] = owner[t] == -1 && got == spans ? n : -2;
      }
      all = all && owner[t] >= 0;
    }
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return owner;
}

TEST(ClusterTest, SpansOfOneTraceSentToDifferentNodesLandWholeOnOneOwner) {
  Cluster c(3);
  ASSERT_TRUE(c.StartAll()) << c.error();
  std::mt19937_64 rng(21);
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(RandomBytes(rng, 16));
  // Half of every trace through node a (OTLP/HTTP), half through b (OTLP/gRPC).
  ASSERT_EQ(PostProto(c.node(0).otlp_http_port(), "/v1/traces", TracesRequest(ids, 2, rng)).status, 200);
  grpc::Status s = GrpcUnaryCall(c.node(1).otlp_grpc_port(), kOtlpTraceExport, TracesRequest(ids, 2, rng));
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::vector<int> owner = Owners(c, ids, 4);
  std::vector<int> per_node(3);
  for (size_t t = 0; t < ids.size(); ++t) {
    ASSERT_GE(owner[t], 0) << "trace " << Hex(ids[t]) << " is not whole on exactly one node";
    ++per_node[owner[t]];
  }
  for (int n = 0; n < 3; ++n) EXPECT_GT(per_node[n], 0) << "node " << Cluster::Name(n) << " owns no trace";
  double forwarded = 0;
  for (const char* peer : {"b", "c"}) {
    forwarded += Metric(c.node(0).query_port(),
                        std::string("callpathd_cluster_forwarded_spans_total{node=\"") + peer + "\"}");
  }
  EXPECT_EQ(forwarded, 2.0 * (per_node[1] + per_node[2])) << "node a forwards exactly the spans it does not own";
}

TEST(ClusterTest, RejectionsOfEveryNodeAreSummedIntoTheAnswer) {
  Cluster c(3);
  ASSERT_TRUE(c.StartAll()) << c.error();
  std::mt19937_64 rng(17);
  TraceRequest req;
  for (int i = 0; i < 20; ++i) {
    TraceRequest one = MakeTraceRequest(RandomBytes(rng, 16), 2, "cluster-svc", NowNs(), rng);
    one.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(1)->set_span_id("bad");  // 3 bytes
    req.MergeFrom(one);
  }
  HttpResult r = PostProto(c.node(0).otlp_http_port(), "/v1/traces", req.SerializeAsString());
  ASSERT_EQ(r.status, 200) << r.body;
  otlpv1::collector::trace::v1::ExportTraceServiceResponse answer;
  ASSERT_TRUE(answer.ParseFromString(r.body));
  EXPECT_EQ(answer.partial_success().rejected_spans(), 20) << answer.partial_success().error_message();
  double forwarded = 0;
  for (const char* peer : {"b", "c"}) {
    forwarded += Metric(c.node(0).query_port(),
                        std::string("callpathd_cluster_forwarded_spans_total{node=\"") + peer + "\"}");
  }
  EXPECT_GT(forwarded, 0) << "some of the rejections came from peers";
}

TEST(ClusterTest, OtlpJsonRequestsAreSplitAndForwardedToo) {
  Cluster c(3);
  ASSERT_TRUE(c.StartAll()) << c.error();
  std::mt19937_64 rng(13);
  std::vector<std::string> ids;
  std::string spans;
  const std::string start = std::to_string(NowNs()), end = std::to_string(NowNs() + 1'000'000);
  for (int i = 0; i < 20; ++i) {
    ids.push_back(RandomBytes(rng, 16));
    for (int k = 0; k < 2; ++k) {
      spans += std::string(spans.empty() ? "" : ",") + R"({"traceId":")" + Hex(ids.back()) + R"(","spanId":")" +
               Hex(RandomBytes(rng, 8)) + R"(","name":"op","kind":2,"startTimeUnixNano":")" + start +
               R"(","endTimeUnixNano":")" + end + R"("})";
    }
  }
  const std::string body = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":)"
                           R"({"stringValue":"json-svc"}}]},"scopeSpans":[{"scope":{"name":"t"},"spans":[)" +
                           spans + "]}]}]}";
  HttpCallOptions o;
  o.content_type = "application/json";
  HttpResult r = HttpCall(c.node(0).otlp_http_port(), "POST", "/v1/traces", body, o);
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<int> owner = Owners(c, ids, 2);
  std::set<int> holders;
  for (int n : owner) {
    ASSERT_GE(n, 0);
    holders.insert(n);
  }
  EXPECT_EQ(holders.size(), 3u);
}

TEST(ClusterTest, LogRecordsFollowTheirTraceAndThoseWithoutStayLocal) {
  Cluster c(3);
  ASSERT_TRUE(c.StartAll()) << c.error();
  std::mt19937_64 rng(5);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(RandomBytes(rng, 16));
  ASSERT_EQ(PostProto(c.node(0).otlp_http_port(), "/v1/traces", TracesRequest(ids, 1, rng)).status, 200);
  std::vector<int> owner = Owners(c, ids, 1);
  std::vector<double> want(3);
  otlpv1::collector::logs::v1::ExportLogsServiceRequest logs;
  for (size_t t = 0; t < ids.size(); ++t) {
    ASSERT_GE(owner[t], 0);
    logs.MergeFrom(MakeLogsRequest(ids[t], 1, "cluster-svc", NowNs()));
    ++want[owner[t]];
  }
  logs.MergeFrom(MakeLogsRequest("", 5, "cluster-svc", NowNs()));
  want[1] += 5;  // sent to b, no trace id
  ASSERT_EQ(PostProto(c.node(1).otlp_http_port(), "/v1/logs", logs.SerializeAsString()).status, 200);
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ(Metric(c.node(n).query_port(), "callpathd_received_total{signal=\"logs\"}"), want[n])
        << "node " << Cluster::Name(n);
  }
}

TEST(ClusterTest, NodeKilledDuringSteadyIngestLosesNothingAcknowledged) {
  if (TestClickHouse::FindBinary().empty()) GTEST_SKIP() << TestClickHouse::kNotInstalled;
  auto server = TestClickHouse::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Cluster c(3, "", {"--store", "clickhouse", "--clickhouse-url", (*server)->url(), "--clickhouse-database",
                    "cluster", "--retention-hours", "0"});
  ASSERT_TRUE(c.StartAll()) << c.error();

  // Steady ingest through a and b: three traces of 3 spans per request.
  std::atomic<bool> stop{false}, down{false};
  std::mutex mu;
  std::vector<std::string> acked;
  std::atomic<size_t> acked_while_down{0};
  auto send = [&](int node, uint64_t seed) {
    std::mt19937_64 rng(seed);
    while (!stop.load()) {
      std::vector<std::string> ids = {RandomBytes(rng, 16), RandomBytes(rng, 16), RandomBytes(rng, 16)};
      if (PostProto(c.node(node).otlp_http_port(), "/v1/traces", TracesRequest(ids, 3, rng)).status == 200) {
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& id : ids) acked.push_back(Hex(id));
        if (down.load()) ++acked_while_down;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  std::thread through_a(send, 0, 1), through_b(send, 1, 2);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  c.node(2).Kill();
  down = true;
  std::this_thread::sleep_for(std::chrono::seconds(5));
  down = false;
  ASSERT_TRUE(c.Start(2)) << c.error();  // same data dir: its WAL replays what it acknowledged
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  through_a.join();
  through_b.join();

  EXPECT_GT(acked_while_down.load(), 0u) << "ingest goes on while a node is down";
  EXPECT_GT(Metric(c.node(0).query_port(), "callpathd_cluster_rerouted_spans_total{node=\"c\"}"), 0)
      << "a sends c's share elsewhere while c is down";
  EXPECT_GT(Metric(c.node(0).query_port(), "callpathd_cluster_forward_failures_total{node=\"c\"}"), 0);
  // Every acknowledged trace is whole, read through any node.
  size_t whole = 0;
  for (int attempt = 0; attempt < 120; ++attempt) {
    whole = 0;
    for (size_t i = 0; i < acked.size(); ++i) whole += SpansOf(c.node(static_cast<int>(i % 3)).query_port(), acked[i]) == 3;
    if (whole == acked.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(whole, acked.size()) << "acknowledged traces missing after a node was killed";
  for (int n = 0; n < 3; ++n) EXPECT_EQ(c.node(n).Stop(), 0);
}

TEST(ClusterTest, ForwardsOverTlsWithTheClusterKey) {
  TempDir certs;
  ASSERT_TRUE(MakeCertificates(certs.path())) << "openssl could not make the test certificates";
  const std::string p = certs.path() + "/";
  // Only the OTLP/gRPC listeners (where peers forward to) speak TLS here.
  Cluster c(2, "otlp_grpc_tls: {cert: " + p + "server.pem, key: " + p + "server.key}\n");
  {
    std::ofstream append(c.dir() + "/cluster.yaml", std::ios::app);
    append << "  tls: {ca: " << p << "ca.pem}\n";
  }
  ASSERT_TRUE(c.StartAll()) << c.error();
  std::mt19937_64 rng(8);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(RandomBytes(rng, 16));
  ASSERT_EQ(PostProto(c.node(0).otlp_http_port(), "/v1/traces", TracesRequest(ids, 2, rng)).status, 200);
  std::vector<int> owner = Owners(c, ids, 2);
  int on_b = 0;
  for (int o : owner) {
    ASSERT_GE(o, 0);
    on_b += o == 1;
  }
  EXPECT_GT(on_b, 0);
  EXPECT_EQ(Metric(c.node(0).query_port(), "callpathd_cluster_forwarded_spans_total{node=\"b\"}"), 2.0 * on_b);
  EXPECT_EQ(Metric(c.node(0).query_port(), "callpathd_cluster_forward_failures_total{node=\"b\"}"), 0);
}

TEST(ClusterTest, ForwardingMarkerWithoutTheClusterKeyCannotPickATenant) {
  Cluster c(2);
  ASSERT_TRUE(c.Start(0)) << c.error();
  std::mt19937_64 rng(3);
  const std::string body = TracesRequest({RandomBytes(rng, 16)}, 1, rng);
  const uint16_t port = c.node(0).otlp_grpc_port();
  const std::pair<std::string, std::string> marker{"x-callpath-forwarded", "b"}, tenant{"x-scope-orgid", "victim"};
  grpc::Status s = GrpcUnaryCall(port, kOtlpTraceExport, body, {marker, tenant});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  s = GrpcUnaryCall(port, kOtlpTraceExport, body, {marker, tenant, {"authorization", "Bearer guessed"}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  // An ordinary client naming a tenant without the marker: refused as before
  // (not from a trusted proxy).
  s = GrpcUnaryCall(port, kOtlpTraceExport, body, {tenant});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  // A peer with the key may.
  s = GrpcUnaryCall(port, kOtlpTraceExport, body, {marker, tenant, {"authorization", std::string("Bearer ") + kClusterKey}});
  EXPECT_TRUE(s.ok()) << s.error_message();

  // A node outside any cluster takes no forwarded call at all.
  TempDir dir;
  DaemonProcess single;
  ASSERT_TRUE(single.Start(dir.path() + "/data")) << single.error();
  s = GrpcUnaryCall(single.otlp_grpc_port(), kOtlpTraceExport, body,
                    {marker, tenant, {"authorization", std::string("Bearer ") + kClusterKey}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
}

}  // namespace
}  // namespace callpath::testing
