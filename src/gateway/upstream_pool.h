// Kept-alive connections to upstream endpoints, one pool per worker.
//
// Threads: a pool and its connections belong to one worker's thread.
#pragma once

#include <sys/socket.h>

#include <cerrno>
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
  Clock::time_point idle_since{};  // when it was returned to the pool
};

// Pooled connections older than this are closed instead of reused: servers
// close idle keep-alive connections after a timeout of their own (5 s for
// Node.js and cpp-httplib), and a request written into a connection the
// server is closing at that moment fails with a reset - for a POST, one
// that cannot be resent. Staying under the shortest common timeout avoids
// that race.
inline constexpr Clock::duration kMaxPooledIdle = std::chrono::seconds(4);

// False when the server closed `conn` while it sat in the pool (end of
// stream or an error waiting), or sent something nobody asked for: such a
// connection must not carry a request. A TLS close_notify is data here.
inline bool StillUsable(UpstreamConn& conn) {
  if (conn.buffer.size() != 0) return false;
  char byte;
  const ssize_t n = ::recv(conn.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

class UpstreamPool {
 public:
  // The most recently returned idle connection to `key` (an endpoint's
  // EndpointState::key), or null when there is none.
  // Connections the server has closed, or that sat idle longer than
  // kMaxPooledIdle, are closed on the way.
  std::unique_ptr<UpstreamConn> Take(const std::string& key, Clock::time_point now = Clock::now()) {
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    while (!it->second.empty()) {
      std::unique_ptr<UpstreamConn> c = std::move(it->second.back());
      it->second.pop_back();
      if (now - c->idle_since <= kMaxPooledIdle && StillUsable(*c)) return c;
    }
    return nullptr;
  }

  // Keeps `conn` for reuse unless `key` already has `max_idle` idle
  // connections (then `conn` is closed).
  void Return(const std::string& key, std::unique_ptr<UpstreamConn> conn, int max_idle) {
    auto& list = idle_[key];
    if (static_cast<int>(list.size()) >= max_idle) return;
    conn->idle_since = Clock::now();
    list.push_back(std::move(conn));
  }

  // Closes every idle connection. REQUIRES: the io_context still exists.
  void Clear() noexcept { idle_.clear(); }

 private:
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConn>>> idle_;
};

}  // namespace callpath::gateway
