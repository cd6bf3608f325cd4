// One of config.threads workers: an event loop on its own thread with its
// own listening socket (SO_REUSEPORT: the kernel spreads connections), its
// client connections and its upstream connection pool, so requests never
// cross threads.
//
// Threads: Listen, Run, BeginStop and Join from the thread that owns the
// Worker; everything else runs on the worker's thread.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <optional>
#include <thread>

#include "callpath/status.h"
#include "gateway/asio_types.h"
#include "gateway/config.h"
#include "gateway/deadline.h"
#include "gateway/exchange.h"
#include "gateway/gateway.h"
#include "gateway/worker_io.h"

namespace callpath::gateway {

class Worker {
 public:
  // `active_clients` counts open client connections across workers (Stop
  // waits for it to drain).
  Worker(SharedState* shared, std::atomic<int>* active_clients)
      : active_clients_(active_clients), io_(*shared) {}
  ~Worker();

  // Binds `addr`:`port` with SO_REUSEPORT; returns the bound port.
  Result<uint16_t> Listen(const HostPort& addr, uint16_t port);

  // Starts the worker's thread. REQUIRES: Listen succeeded.
  void Run();

  // Stops accepting and closes connections waiting for their next request;
  // sessions in the middle of a request finish it and then close.
  void BeginStop();

  // Stops the event loop and joins its thread. Idempotent.
  void Join();

 private:
  // A client connection, listed so that BeginStop can close the idle ones.
  struct ClientEntry {
    Socket* socket;
    bool idle;
  };

  Task<void> AcceptLoop();
  // A client connection: the TLS handshake when the listener has TLS, then
  // the request loop (client_session.cc).
  Task<void> Serve(Socket socket);
  // The request loop on `stream`: `socket` itself, or TLS over it.
  template <typename Stream>
  Task<void> ServeRequests(Stream& stream, Socket& socket, Deadline& deadline, ClientEntry& entry,
                           const ClientAddress& client);
  // The runtime for the next request; re-read only after a reload.
  const std::shared_ptr<Runtime>& CurrentRuntime();

  std::atomic<int>* active_clients_;
  // Declared before io_: destroying io_ frees suspended sessions, which
  // take themselves off clients_.
  std::list<ClientEntry*> clients_;
  std::shared_ptr<Runtime> runtime_;
  uint64_t runtime_generation_ = 0;
  std::thread thread_;
  WorkerIo io_;
  std::optional<Acceptor> acceptor_;
};

}  // namespace callpath::gateway
