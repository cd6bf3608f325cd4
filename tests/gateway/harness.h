// Test harness for the gateway's integration tests: child processes (the
// gateway binary and test upstreams) and an OTLP/HTTP span collector, all
// on 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace gateway_test {

using namespace std::chrono_literals;

// Polls `done` until it holds or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);
std::string MakeTempDir();

// A child process; killed (SIGKILL) and reaped when destroyed if still running.
class Process {
 public:
  // Runs argv[0] with the current environment plus `env` (NAME=value),
  // stdout and stderr appended to the given files.
  static std::unique_ptr<Process> Spawn(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env,
                                        const std::string& stdout_path,
                                        const std::string& stderr_path);
  ~Process();

  pid_t pid() const { return pid_; }
  void Signal(int sig) const;
  // The exit status (>= 0), 128+signal if killed, or -1 if still running
  // after `timeout`.
  int Wait(std::chrono::milliseconds timeout = 30s);
  bool Running();

 private:
  explicit Process(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  int status_ = -1;
  bool reaped_ = false;
};

// What the collector keeps of one span.
struct CollectedSpan {
  std::string trace_id, span_id, parent_span_id;  // lowercase hex; "" for no parent
  std::string name;
  int kind = 0;         // OTLP SpanKind: 2 server, 3 client
  int status_code = 0;  // 0 unset, 1 ok, 2 error
  std::string service_name;
  std::map<std::string, std::string> attributes;  // values rendered as text
  struct Link {
    std::string trace_id, span_id;
    std::map<std::string, std::string> attributes;
  };
  std::vector<Link> links;
};

// An OTLP/HTTP receiver (POST /v1/traces, protobuf) on a free loopback port.
class Collector {
 public:
  Collector();
  ~Collector();
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<CollectedSpan> Spans() const;
  std::vector<CollectedSpan> SpansOfTrace(const std::string& trace_id) const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<CollectedSpan> spans_;
};

// A tiny HTTP client call: one request on a new connection.
struct HttpResult {
  int status = 0;  // 0: no response
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
};
HttpResult HttpGet(int port, const std::string& target,
                   const std::map<std::string, std::string>& headers = {},
                   std::chrono::seconds timeout = 30s);

// The value of "key":"value" or "key":number in a flat JSON text.
std::string JsonField(const std::string& json, const std::string& key);

}  // namespace gateway_test
