// The hop: what one hop-service does for one request, whatever protocol the
// request came in on.
#pragma once

#include <memory>
#include <string>

namespace hop {

struct Config {
  std::string name = "hop";
  std::string next;        // "" | http://host:port | grpc://host:port
  std::string server = "httplib";  // HTTP stack: httplib | beast
  bool fail = false;       // answer 500 / UNAVAILABLE (fault injection)
  bool async = false;      // also do a thread-pool hop and a message hop
};

struct Answer {
  std::string json;        // the report (see main.cc)
  bool downstream_failed = false;
};

class Hopper {
 public:
  explicit Hopper(Config config);
  ~Hopper();
  // Runs inside the request's server span (it is the current Context).
  Answer Handle(const std::string& traceparent_received);
  const Config& config() const { return config_; }

 private:
  struct Impl;
  Config config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hop
