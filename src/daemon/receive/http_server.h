// Asynchronous HTTP/1.1 server (Boost.Beast) for the OTLP and query ports.
//
// Keep-alive, chunked request bodies, `Expect: 100-continue`, a body limit
// checked while reading (413 before the body is buffered when
// Content-Length already says too much). One request at a time per
// connection; any number of connections, served by the IoRuntime's threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "callpath/status.h"
#include "daemon/receive/http_types.h"

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
  int idle_timeout_seconds = 120;          // keep-alive connections idle longer are closed
  int read_timeout_seconds = 60;           // a request must arrive within this
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
  // Stops accepting new connections (open ones finish their request).
  void Close();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace callpath::daemon
