// Asynchronous HTTP/1.1 server (Boost.Beast) for the OTLP and query ports.
//
// Keep-alive, chunked request bodies, `Expect: 100-continue`, a body limit
// checked while reading (413 before the body is buffered when
// Content-Length already says too much). One request at a time per
// connection, served by the IoRuntime's threads.
//
// Bounds against hostile or runaway clients:
//  - bodies take their bytes from a ByteBudget shared by all servers before
//    they are buffered (Content-Length: at the header; chunked: chunk by
//    chunk); over budget -> 429 + Retry-After, the connection closes;
//  - at most max_connections open connections per server: at the limit the
//    server stops accepting until one closes (new clients wait in the
//    kernel's backlog), so one flooded port cannot take the descriptors
//    another port (queries, health checks) needs;
//  - a new connection must send its header within header_timeout_seconds;
//  - accept errors (out of descriptors) are retried after a pause, never
//    in a busy loop;
//  - with TLS, the handshake counts as part of the header (same timeout);
//  - any Transfer-Encoding other than exactly "chunked" -> 501 (unknown
//    coding) or 400 (chunked twice).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "callpath/status.h"
#include "common/byte_budget.h"
#include "daemon/receive/http_types.h"
#include "daemon/receive/tls_context.h"

namespace callpath::daemon {

// The threads and event loop shared by every HttpServer.
class IoRuntime {
 public:
  explicit IoRuntime(int threads);
  ~IoRuntime();  // Stop()s and joins
  IoRuntime(const IoRuntime&) = delete;
  IoRuntime& operator=(const IoRuntime&) = delete;

  void Start();
  // Stops the event loop; pending handlers are abandoned. Idempotent.
  void Stop();

  struct Impl;
  Impl* impl() { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

struct HttpServerOptions {
  uint64_t max_body_bytes = 64ull << 20;  // on the wire (decompression is the handler's)
  // Request bodies held at once, shared with other servers; must outlive
  // the server. Null: no global cap (each connection may still hold
  // max_body_bytes).
  ByteBudget* body_budget = nullptr;
  // Open connections of this server; 0 = no limit.
  size_t max_connections = 0;
  int header_timeout_seconds = 10;  // a new connection's first header must arrive within this
  int idle_timeout_seconds = 120;   // keep-alive connections idle longer are closed
  int read_timeout_seconds = 60;    // a body must arrive within this
  // Optional counters (must outlive the server).
  HttpServerCounters* counters = nullptr;
  // Optional: admits or refuses every request before its body is read
  // (authentication, Host checks). Empty: every request goes on.
  RequestGate gate;
  // Optional: serve TLS with the holder's current context (each connection
  // takes it when accepted; Reload() affects new connections). Must
  // outlive the server. Null: plain HTTP.
  TlsContextHolder* tls = nullptr;
};

class HttpServer {
 public:
  HttpServer(IoRuntime& runtime, HttpServerOptions options, HttpHandler handler,
             ErrorResponder errors);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. `port` 0 picks a free port; see port().
  Status Listen(const std::string& host, uint16_t port);
  uint16_t port() const;
  // Connections open now.
  size_t open_connections() const;
  // Stops accepting new connections (open ones finish their request).
  void Close();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace callpath::daemon
