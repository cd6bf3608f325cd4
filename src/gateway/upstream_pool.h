// Kept-alive connections to upstream endpoints, one pool per worker.
//
// Threads: a pool and its connections belong to one worker's thread.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ssl.hpp>

#include "gateway/asio_types.h"
#include "gateway/deadline.h"

namespace callpath::gateway {

// A connection to one upstream endpoint, with what was read past the last
// response and its I/O deadline.
struct UpstreamConn {
  UpstreamConn(net::io_context& ioc, DeadlineSweeper& sweeper)
      : socket(ioc.get_executor()), deadline(sweeper.list(), &socket) {}
  Socket socket;
  beast::flat_buffer buffer;
  Deadline deadline;
  // Set for a TLS upstream once the handshake is done; it runs over
  // `socket`, which the deadline closes to abort it.
  std::unique_ptr<net::ssl::stream<Socket&>> tls;
};

class UpstreamPool {
 public:
  // The most recently returned idle connection to `key` (an endpoint's
  // EndpointState::key), or null when there is none.
  std::unique_ptr<UpstreamConn> Take(const std::string& key) {
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    std::unique_ptr<UpstreamConn> c = std::move(it->second.back());
    it->second.pop_back();
    return c;
  }

  // Keeps `conn` for reuse unless `key` already has `max_idle` idle
  // connections (then `conn` is closed).
  void Return(const std::string& key, std::unique_ptr<UpstreamConn> conn, int max_idle) {
    auto& list = idle_[key];
    if (static_cast<int>(list.size()) >= max_idle) return;
    list.push_back(std::move(conn));
  }

  // Closes every idle connection. REQUIRES: the io_context still exists.
  void Clear() noexcept { idle_.clear(); }

 private:
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConn>>> idle_;
};

}  // namespace callpath::gateway
