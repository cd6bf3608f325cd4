// Tracing for cpp-httplib servers and clients.
//
//   callpath::http::TracedServer server;                // an httplib::Server
//   server.Get("/users/(\\d+)", [](const httplib::Request& req, httplib::Response& res) {
//     // runs inside the SERVER span "GET /users/(\d+)": the logger and
//     // TracedClient calls made here are part of the request's trace
//   });
//   server.listen("0.0.0.0", 8080);
//
//   callpath::http::TracedClient client("http://inventory:8080");
//   httplib::Result r = client.Get("/items/7");          // CLIENT span + traceparent
//
// Every request gets a SERVER span (also those no route matches: they are
// named "{method}" without http.route); the response carries `traceresponse`
// and X-Trace-ID (see ServerOptions) and an access-log line is written.
//
// How it hooks in: httplib runs each request on one worker thread, calling
// the pre-routing handler, the route handler, the post-routing handler and
// the logger in turn. Instrument() uses those hooks, so a server must not
// replace them afterwards: TracedServer's set_pre_routing_handler,
// set_post_routing_handler and set_logger chain the user's hook after ours
// instead (call them on the TracedServer, not on an httplib::Server&).
//
// Requires libcpp-httplib (Debian's build with CPPHTTPLIB_OPENSSL_SUPPORT,
// CPPHTTPLIB_ZLIB_SUPPORT, CPPHTTPLIB_BROTLI_SUPPORT defined; linking
// callpath::http sets them).
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "callpath/http/client_span.h"
#include "callpath/http/server_span.h"

namespace callpath::http {

namespace detail {
struct HttplibServerState;
}

// Installs tracing on `server` through its pre-/post-routing handlers and
// logger (replacing any set before). The options are copied and kept alive
// by the server's handlers. Routes registered with plain Get/Post get spans
// without http.route; wrap their handlers with Route() to record it.
void Instrument(httplib::Server& server, ServerOptions options = {});

// Wraps `handler` so that the request's span records `route` as http.route
// and an exception escaping the handler as an exception event (it is
// rethrown, so httplib answers 500 or calls the exception handler).
httplib::Server::Handler Route(std::string route, httplib::Server::Handler handler);

// An httplib::Server with tracing installed, whose Get/Post/Put/Patch/Delete/
// Options record their pattern as http.route. Use it exactly as an
// httplib::Server.
class TracedServer : public httplib::Server {
 public:
  explicit TracedServer(ServerOptions options = {});

  TracedServer& Get(const std::string& pattern, Handler handler);
  TracedServer& Post(const std::string& pattern, Handler handler);
  TracedServer& Put(const std::string& pattern, Handler handler);
  TracedServer& Patch(const std::string& pattern, Handler handler);
  TracedServer& Delete(const std::string& pattern, Handler handler);
  TracedServer& Options(const std::string& pattern, Handler handler);

  // Run after the tracing hooks, inside the request's span.
  TracedServer& set_pre_routing_handler(HandlerWithResponse handler);
  TracedServer& set_post_routing_handler(Handler handler);
  TracedServer& set_logger(httplib::Logger logger);

 private:
  std::shared_ptr<detail::HttplibServerState> state_;
};

// An httplib::Client whose requests each make a CLIENT span (a child of the
// calling thread's current Context) and carry its context in the request
// headers. Not thread-safe, like httplib::Client.
class TracedClient {
 public:
  // "http://host:port" (or "host:port"), as httplib::Client takes it.
  explicit TracedClient(const std::string& scheme_host_port, ClientOptions options = {});

  httplib::Result Get(const std::string& path, const httplib::Headers& headers = {});
  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& content_type, const httplib::Headers& headers = {});
  httplib::Result Put(const std::string& path, const std::string& body,
                      const std::string& content_type, const httplib::Headers& headers = {});
  httplib::Result Delete(const std::string& path, const httplib::Headers& headers = {});
  // Any request: method, path, headers and body are taken from `request`.
  httplib::Result Send(httplib::Request request);

  // The wrapped client, e.g. for timeouts and keep-alive settings.
  httplib::Client& client() noexcept { return client_; }

 private:
  httplib::Client client_;
  std::string base_url_;  // "http://host:port" for url.full
  ClientOptions options_;
};

}  // namespace callpath::http
