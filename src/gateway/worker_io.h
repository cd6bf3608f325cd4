// One worker's event loop and what the coroutines serving its connections
// share: the deadline sweeper, the upstream connection pool, and the
// gateway-wide SharedState.
//
// Threads: everything here but `shared` is touched by the worker's thread
// only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "gateway/asio_types.h"
#include "gateway/deadline.h"
#include "gateway/gateway.h"
#include "gateway/upstream_pool.h"

namespace callpath::gateway {

struct WorkerIo {
  // Only the worker's thread touches its sockets (stopping posts to it), so
  // the reactor needs no per-descriptor locking.
  explicit WorkerIo(SharedState& s)
      : shared(s), ioc(std::in_place, BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO), deadlines(*ioc) {}
  ~WorkerIo() {
    // Pooled sockets and the sweep timer go first, while the io_context
    // they belong to still exists; its destructor then frees suspended
    // coroutines, whose deadlines unlink from `deadlines`.
    pool.Clear();
    tls_contexts.clear();
    deadlines.CloseTimer();
    ioc.reset();
  }
  WorkerIo(const WorkerIo&) = delete;
  WorkerIo& operator=(const WorkerIo&) = delete;

  Exec executor() noexcept { return ioc->get_executor(); }

  SharedState& shared;
  std::optional<net::io_context> ioc;
  DeadlineSweeper deadlines;
  UpstreamPool pool;
  // TLS client contexts by CA file ("" = the system's trust store), made
  // on first use by this worker.
  std::map<std::string, std::unique_ptr<net::ssl::context>> tls_contexts;
};

}  // namespace callpath::gateway
