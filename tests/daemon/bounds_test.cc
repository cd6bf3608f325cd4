// callpathd against clients that try to exhaust it: many concurrent
// maximum-size bodies (memory stays within the request bytes budget and
// queries still answer), a flood of idle connections (the query port and
// health checks still answer, the flooded port recovers), refused transfer
// codings, and per-item checks of timestamps and span ids end to end.
// Loopback only; every flood is bounded in count and time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/daemon_harness.h"
#include "daemon/otlp_fixtures.h"

namespace callpath::testing {
namespace {

// A connected loopback socket, closed on destruction.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(RawConnection&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  bool ok() const { return fd_ >= 0; }

  bool Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 10'000) <= 0) return false;
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // What arrives until the peer closes or `seconds` pass without a byte.
  std::string ReadUntilClose(int seconds) {
    std::string out;
    char buf[4096];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, seconds * 1000) <= 0) break;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  // True when the peer closed the connection within `seconds`.
  bool ClosedWithin(int seconds) {
    char buf[256];
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 500) < 0) return false;
      if (p.revents == 0) continue;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
};

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

// VmHWM or VmRSS of `pid` in bytes.
uint64_t MemoryOf(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

uint64_t MetricValue(const std::string& metrics, const std::string& series) {
  size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return UINT64_MAX;
  return std::stoull(metrics.substr(at + series.size() + 2));
}

void ExpectQueriesAnswer(DaemonProcess& d) {
  HttpCallOptions quick;
  quick.timeout_seconds = 10;
  EXPECT_EQ(HttpCall(d.query_port(), "GET", "/healthz", {}, quick).status, 200);
  EXPECT_EQ(HttpCall(d.query_port(), "GET", "/api/v1/services", {}, quick).status, 200);
}

// 48 clients each announce an 8 MiB body and send all of it but the last
// byte, holding their bodies open at once: 384 MiB if every body were
// buffered. With a 64 MiB budget at most eight are taken; the others get
// 429 + Retry-After before their body is read.
TEST(DaemonBounds, ConcurrentMaximumSizeBodiesStayWithinTheRequestBytesBudget) {
  constexpr uint64_t kBody = 8ull << 20, kBudget = 64ull << 20;
  constexpr int kClients = 48;
  TempDir dir;
  DaemonProcess d;
  ASSERT_TRUE(d.Start(dir.path() + "/data", {"--max-body-bytes", std::to_string(kBody), "--max-inflight-bytes",
                                             std::to_string(kBudget)}))
      << d.error();
  const uint64_t rss_before = MemoryOf(d.pid(), "VmRSS");
  const std::string head = "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Connection: close\r\nContent-Length: " + std::to_string(kBody) + "\r\n\r\n";
  const std::string almost(kBody - 1, 'x');

  std::vector<RawConnection> conns;
  std::vector<std::string> early(kClients);
  std::vector<std::thread> senders;
  for (int i = 0; i < kClients; ++i) {
    conns.emplace_back(d.otlp_http_port());
    ASSERT_TRUE(conns.back().ok());
  }
  for (int i = 0; i < kClients; ++i) {
    senders.emplace_back([&, i] {
      // A refused client sees its 429 while (or instead of) sending.
      if (conns[i].Send(head)) (void)conns[i].Send(almost);
    });
  }
  for (auto& t : senders) t.join();
  // Every body that was admitted is now held by the daemon, incomplete.
  ExpectQueriesAnswer(d);
  const uint64_t hwm = MemoryOf(d.pid(), "VmHWM");

  int refused = 0, answered = 0;
  for (int i = 0; i < kClients; ++i) {
    (void)conns[i].Send("x");  // completes admitted bodies (not JSON: 400)
    std::string r = conns[i].ReadUntilClose(20);
    int status = StatusOf(r);
    if (status == 429) {
      ++refused;
      EXPECT_NE(r.find("Retry-After: 1"), std::string::npos) << r.substr(0, 400);
    } else {
      EXPECT_EQ(status, 400) << r.substr(0, 400);
      ++answered;
    }
  }
  EXPECT_GE(refused, kClients - static_cast<int>(kBudget / kBody));
  EXPECT_GE(answered, 1);
  // The budget plus a constant for everything else (decoding on the two
  // request threads, buffers, the store); 384 MiB of bodies do not fit.
  EXPECT_LT(hwm, rss_before + kBudget + (96ull << 20)) << "VmHWM " << (hwm >> 20) << " MiB";
  HttpResult m = HttpCall(d.query_port(), "GET", "/metrics");
  EXPECT_EQ(MetricValue(m.body, "callpathd_over_budget_requests_total{listener=\"otlp_http\"}"),
            static_cast<uint64_t>(refused));
  EXPECT_EQ(MetricValue(m.body, "callpathd_inflight_request_bytes"), 0u);

  // Afterwards, an ordinary export goes through.
  std::mt19937_64 rng(1);
  auto ok = MakeTraceRequest(RandomBytes(rng, 16), 2, "svc", NowNs(), rng).SerializeAsString();
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  EXPECT_EQ(HttpCall(d.otlp_http_port(), "POST", "/v1/traces", ok, o).status, 200);
  EXPECT_EQ(d.Stop(), 0);
}

// 200 idle connections on the OTLP port, ten times its limit: the query
// port (queries, health checks) keeps answering, idle connections are
// closed after the header timeout, and the OTLP port serves again.
TEST(DaemonBounds, AConnectionFloodLeavesQueriesAnsweringAndPassesWithTheHeaderTimeout) {
  TempDir dir;
  DaemonProcess d;
  ASSERT_TRUE(d.Start(dir.path() + "/data", {"--max-connections", "20", "--header-timeout-seconds", "2"}))
      << d.error();
  std::vector<RawConnection> flood;
  for (int i = 0; i < 200; ++i) {
    flood.emplace_back(d.otlp_http_port());  // the kernel's backlog takes those not accepted
    ASSERT_TRUE(flood.back().ok()) << i;
  }
  ExpectQueriesAnswer(d);
  // The listener stops accepting at its limit (polled: accepting takes a
  // moment; bounded).
  uint64_t limit_reached = 0;
  for (int i = 0; i < 100 && (limit_reached == 0 || limit_reached == UINT64_MAX); ++i) {
    HttpResult m = HttpCall(d.query_port(), "GET", "/metrics");
    limit_reached = MetricValue(m.body, "callpathd_connection_limit_reached_total{listener=\"otlp_http\"}");
    if (limit_reached == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(limit_reached, 1u);
  EXPECT_NE(limit_reached, UINT64_MAX);
  ExpectQueriesAnswer(d);

  // An accepted idle connection is closed once the header timeout passes.
  EXPECT_TRUE(flood.front().ClosedWithin(30));
  flood.clear();
  std::mt19937_64 rng(2);
  auto ok = MakeTraceRequest(RandomBytes(rng, 16), 2, "svc", NowNs(), rng).SerializeAsString();
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  o.timeout_seconds = 30;
  EXPECT_EQ(HttpCall(d.otlp_http_port(), "POST", "/v1/traces", ok, o).status, 200);
  ExpectQueriesAnswer(d);
  EXPECT_EQ(d.Stop(), 0);
}

// The hostile probe's case: a 256-descriptor limit and 400 idle
// connections on the OTLP port. The default connection limit, derived from
// the descriptor limit, leaves descriptors for the query port.
TEST(DaemonBounds, UnderA256DescriptorLimit400IdleConnectionsDoNotLockQueriesOut) {
  TempDir dir;
  DaemonProcess d;
  d.set_descriptor_limit(256);
  // A long header timeout: no idle connection is closed (and replaced by
  // the next) while the test looks.
  ASSERT_TRUE(d.Start(dir.path() + "/data", {"--header-timeout-seconds", "120"})) << d.error();
  std::vector<RawConnection> flood;
  for (int i = 0; i < 400; ++i) {
    flood.emplace_back(d.otlp_http_port());
    ASSERT_TRUE(flood.back().ok()) << i;
  }
  for (int i = 0; i < 3; ++i) ExpectQueriesAnswer(d);
  HttpResult m = HttpCall(d.query_port(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_LE(MetricValue(m.body, "callpathd_connections_accepted_total{listener=\"otlp_http\"}"), 42u);
  flood.clear();
  std::mt19937_64 rng(4);
  auto ok = MakeTraceRequest(RandomBytes(rng, 16), 2, "svc", NowNs(), rng).SerializeAsString();
  HttpCallOptions o;
  o.content_type = "application/x-protobuf";
  o.timeout_seconds = 30;
  EXPECT_EQ(HttpCall(d.otlp_http_port(), "POST", "/v1/traces", ok, o).status, 200);
  EXPECT_EQ(d.Stop(), 0);
}

TEST(DaemonBounds, UnknownOrStackedTransferCodingsAreRefused) {
  TempDir dir;
  DaemonProcess d;
  ASSERT_TRUE(d.Start(dir.path() + "/data")) << d.error();
  for (const char* te : {"xchunked", "chunked, identity", "gzip, chunked"}) {
    RawConnection c(d.otlp_http_port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.Send(std::string("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                   "Transfer-Encoding: ") +
                       te + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
    std::string r = c.ReadUntilClose(10);
    int status = StatusOf(r);
    EXPECT_TRUE(status == 501 || status == 400) << te << ": " << r;
    EXPECT_EQ(r.find("HTTP/1.1 200"), std::string::npos) << te << ": " << r;
  }
  HttpCallOptions o;
  o.content_type = "application/json";
  o.chunked = true;
  EXPECT_EQ(HttpCall(d.otlp_http_port(), "POST", "/v1/traces", "{}", o).status, 200);
  EXPECT_EQ(d.Stop(), 0);
}

TEST(DaemonBounds, OutOfWindowTimestampsAndDuplicateSpanIdsAreRejectedPerItemAndCounted) {
  TempDir dir;
  DaemonProcess d;
  ASSERT_TRUE(d.Start(dir.path() + "/data")) << d.error();
  std::mt19937_64 rng(3);
  auto req = MakeTraceRequest(RandomBytes(rng, 16), 4, "svc", NowNs(), rng);
  auto* spans = req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans();
  spans->Mutable(1)->set_start_time_unix_nano(0);  // the epoch
  spans->Mutable(1)->set_end_time_unix_nano(1);
  const uint64_t centuries = NowNs() + 300ull * 365 * 24 * 3600 * 1'000'000'000;
  spans->Mutable(2)->set_start_time_unix_nano(centuries);
  spans->Mutable(2)->set_end_time_unix_nano(centuries + 1);
  spans->Mutable(3)->set_span_id(spans->Get(0).span_id());  // a duplicate of the root
  HttpResult r = HttpCall(d.otlp_http_port(), "POST", "/v1/traces", req.SerializeAsString(),
                          HttpCallOptions{.content_type = "application/x-protobuf"});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("3 spans rejected"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("--max-item-age"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("--max-item-future"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("duplicate"), std::string::npos) << r.body;
  HttpResult m = HttpCall(d.query_port(), "GET", "/metrics");
  EXPECT_EQ(MetricValue(m.body, "callpathd_duplicate_spans_total"), 1u);
  EXPECT_EQ(MetricValue(m.body, "callpathd_out_of_window_items_total"), 2u);
  EXPECT_EQ(d.Stop(), 0);

  // --max-item-age 0 takes old data (backfills).
  TempDir dir2;
  DaemonProcess backfill;
  ASSERT_TRUE(backfill.Start(dir2.path() + "/data", {"--max-item-age", "0"})) << backfill.error();
  auto old = MakeTraceRequest(RandomBytes(rng, 16), 2, "svc", 1'000'000'000, rng);
  r = HttpCall(backfill.otlp_http_port(), "POST", "/v1/traces", old.SerializeAsString(),
               HttpCallOptions{.content_type = "application/x-protobuf"});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty()) << r.body;  // no partial success
  EXPECT_EQ(backfill.Stop(), 0);
}

}  // namespace
}  // namespace callpath::testing
