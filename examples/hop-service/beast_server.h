// A small synchronous Boost.Beast HTTP server: one thread per connection,
// keep-alive, every request traced with callpath::http::beast::ServerRequest.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/beast/http.hpp>

#include "callpath/http/server_span.h"

namespace hop {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;
// Returns the route template it handled ("" for none) and fills `res`.
using BeastHandler = std::function<std::string(const BeastRequest&, BeastResponse&)>;

class BeastServer {
 public:
  BeastServer(const std::string& host, int port, BeastHandler handler,
              callpath::http::ServerOptions options = {});
  ~BeastServer();
  int port() const;
  void Run();   // blocks until Stop
  void Stop();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hop
