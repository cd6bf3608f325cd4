// The fixture of the gateway's end-to-end tests: a temp dir, upstream
// processes, the gateway binary on a written config, and an OTLP collector.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.h"

namespace gateway_test {

// A loopback port nothing listens on (bound, then released).
inline int DeadPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Sends `request` on a new connection and returns every byte the gateway
// sends back until it closes the connection. `closed` tells whether it did
// close (rather than the 30 s receive timeout expiring).
inline std::string RawExchange(int port, const std::string& request, bool* closed) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  *closed = false;
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return out;
  }
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) *closed = true;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

inline const CollectedSpan* Find(const std::vector<CollectedSpan>& spans, int kind,
                          const std::string& span_id = "") {
  for (const auto& s : spans) {
    if (s.kind == kind && (span_id.empty() || s.span_id == span_id)) return &s;
  }
  return nullptr;
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir(); }

  void TearDown() override {
    if (gateway_) {
      gateway_->Signal(SIGTERM);
      gateway_->Wait(30s);
    }
    upstreams_.clear();
    if (HasFailure()) {
      std::fprintf(stderr, "--- gateway stderr ---\n%s\n--- access log ---\n%s\n",
                   ReadFile(dir_ + "/gateway.err").c_str(), ReadFile(dir_ + "/access.log").c_str());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // Starts an upstream named `name`; returns its port.
  int StartUpstream(const std::string& name, const std::vector<std::string>& extra_args = {}) {
    const std::string ready = dir_ + "/" + name + ".port";
    std::vector<std::string> argv = {CALLPATH_TEST_UPSTREAM, "--name", name, "--ready-file", ready};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    upstreams_.push_back(Process::Spawn(argv,
                                        {}, dir_ + "/" + name + ".out", dir_ + "/" + name + ".err"));
    EXPECT_TRUE(WaitUntil([&] { return !ReadFile(ready).empty(); })) << name << " did not start";
    return std::atoi(ReadFile(ready).c_str());
  }

  std::string Config(const std::string& routes_and_upstreams) const {
    return "listen: 127.0.0.1:0\n"
           "admin_listen: 127.0.0.1:0\n"
           "threads: 1\n"
           "service_name: edge-gateway\n"
           "access_log: {path: " + dir_ + "/access.log}\n" + routes_and_upstreams;
  }

  // Writes gateway.yaml and starts the gateway on it; returns false if it
  // did not come up.
  bool StartGateway(const std::string& yaml, const std::vector<std::string>& extra_env = {},
                    const std::vector<std::string>& extra_args = {}) {
    config_path_ = dir_ + "/gateway.yaml";
    WriteFile(config_path_, yaml);
    const std::string ready = dir_ + "/gateway.ready";
    std::vector<std::string> argv = {CALLPATH_GATEWAY_BIN, "--config", config_path_,
                                     "--ready-file", ready};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    std::vector<std::string> env = {"OTEL_EXPORTER_OTLP_ENDPOINT=" + collector_.endpoint(),
                                    "OTEL_BSP_SCHEDULE_DELAY=100", "OTEL_TRACES_EXPORTER=otlp",
                                    "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    gateway_ = Process::Spawn(argv, env, dir_ + "/gateway.out", dir_ + "/gateway.err");
    if (!gateway_ || !WaitUntil([&] { return !ReadFile(ready).empty() || !gateway_->Running(); })) {
      return false;
    }
    const std::string info = ReadFile(ready);
    port_ = std::atoi(JsonField(info, "port").c_str());
    admin_port_ = std::atoi(JsonField(info, "admin_port").c_str());
    return port_ > 0;
  }

  std::string Metrics() const { return HttpGet(admin_port_, "/metrics").body; }

  // Waits until the collector holds `count` spans of `trace_id`.
  std::vector<CollectedSpan> AwaitSpans(const std::string& trace_id, size_t count) {
    std::vector<CollectedSpan> spans;
    WaitUntil([&] {
      spans = collector_.SpansOfTrace(trace_id);
      return spans.size() >= count;
    });
    return spans;
  }

  Collector collector_;
  std::string dir_, config_path_;
  std::vector<std::unique_ptr<Process>> upstreams_;
  std::unique_ptr<Process> gateway_;
  int port_ = 0, admin_port_ = 0;
};

inline std::string OneRoute(int upstream_port, const std::string& extra_route = "") {
  return "routes:\n"
         "  - match: {path_prefix: /api}\n"
         "    upstream: main\n"
         "    timeout: 10s\n"
         "    retries: {attempts: 2, on: [502, 503, 504, connect-failure, timeout], backoff: 10ms}\n" +
         extra_route +
         "upstreams:\n"
         "  main:\n"
         "    endpoints: [127.0.0.1:" + std::to_string(upstream_port) + "]\n";
}

}  // namespace gateway_test
