// Test harness for the real callpathd binary: start it on free loopback
// ports with a scratch data directory, talk HTTP to it, stop or kill it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace callpath::testing {

// A scratch directory removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class DaemonProcess {
 public:
  DaemonProcess() = default;
  ~DaemonProcess();  // kills the process if it still runs

  // Starts callpathd with --data-dir and port-0 listeners (those `extra`
  // does not name) plus `extra` flags, and waits until its ready file appears. False (with a reason in
  // error()) if it exits or does not become ready within a minute.
  bool Start(const std::string& data_dir, const std::vector<std::string>& extra = {});
  // Starts later processes with this descriptor limit (soft and hard), as
  // `ulimit -n` would; 0 = inherit.
  void set_descriptor_limit(uint64_t n) { descriptor_limit_ = n; }
  // SIGTERM and wait; returns the exit status (0 on a clean stop).
  int Stop();
  // SIGKILL and wait: a crash.
  void Kill();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t otlp_http_port() const { return http_; }
  uint16_t otlp_grpc_port() const { return grpc_; }
  uint16_t query_port() const { return query_; }
  const std::string& error() const { return error_; }

 private:
  pid_t pid_ = -1;
  uint64_t descriptor_limit_ = 0;
  uint16_t http_ = 0, grpc_ = 0, query_ = 0;
  std::string ready_file_;
  std::string error_;
};

struct HttpResult {
  int status = 0;  // 0: no response (connection error; see error)
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  std::string error;
};

struct HttpCallOptions {
  std::string content_type;
  std::string content_encoding;
  bool chunked = false;  // send the body chunked, without Content-Length
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
  int timeout_seconds = 60;
};

// One request on a fresh connection to 127.0.0.1:port. Reads the answer
// even when the server answers before the whole body was sent.
HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body = {}, const HttpCallOptions& options = {});

std::string ReadFileOrDie(const std::string& path);

}  // namespace callpath::testing
