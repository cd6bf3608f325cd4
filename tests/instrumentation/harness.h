// Test harness: an OTLP/HTTP trace receiver on 127.0.0.1 (cpp-httplib +
// libprotobuf) and child processes (hop-service) whose ports are read from
// their first stdout line.
#pragma once

#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

extern char** environ;

namespace callpath::instrumentation {

namespace pb = opentelemetry::proto;

// One received span with the service.name of its resource.
struct ReceivedSpan {
  std::string service;
  pb::trace::v1::Span span;
  std::string trace_id() const;  // hex
  std::string span_id() const;
  std::string parent_id() const;
  std::string Attr(const std::string& key) const;  // "" if absent; ints as decimal
};

std::string Hex(const std::string& bytes);

class OtlpReceiver {
 public:
  OtlpReceiver();
  ~OtlpReceiver();
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Waits (up to 60 s) until `pred(spans)` holds; returns the spans then.
  template <typename Pred>
  std::vector<ReceivedSpan> WaitFor(Pred pred) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return pred(spans_); });
    return spans_;
  }
  // Spans of one trace, once `count` of them arrived.
  std::vector<ReceivedSpan> WaitForTrace(const std::string& trace_id, size_t count);

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedSpan> spans_;
};

// A child process started with extra environment variables. Its first
// stdout line is kept (hop-service prints its ports there).
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
  ~Process();  // SIGTERM, then wait
  const std::string& first_line() const { return first_line_; }
  // "http=<n>" / "grpc=<n>" from the first line, or -1.
  int Port(const std::string& key) const;
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string first_line_;
};

// A hop-service exporting to `receiver`.
std::unique_ptr<Process> StartHop(const OtlpReceiver& receiver,
                                  const std::vector<std::string>& args);

const ReceivedSpan* Find(const std::vector<ReceivedSpan>& spans, const std::string& service,
                         int kind);

}  // namespace callpath::instrumentation
