// Plain request/response values passed between the HTTP server and the
// handlers, so that only http_server.cc needs Boost.Beast.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callpath::daemon {

struct HttpRequest {
  std::string method;            // "GET", "POST", ...
  std::string target;            // path plus "?query" as sent
  std::string content_type;      // header value, "" if absent
  std::string content_encoding;  // header value, "" if absent
  std::string accept_encoding;
  std::string body;              // complete body (chunked bodies are joined)
  std::chrono::steady_clock::time_point received_at;
  // The peer's IP address (no port).
  std::string remote_address;
  // The tenant the request belongs to: its API key's ("" when
  // authentication is off), or a trusted proxy's X-Scope-OrgID; set by the
  // server's RequestGate. Handlers read and write only this tenant's data.
  std::string tenant;
  // The few other headers a handler reads (the MCP endpoint: Origin,
  // Mcp-Session-Id, MCP-Protocol-Version), when sent. Not every header is
  // copied: the ingest path would pay for it on every request.
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of `name` (case-insensitive) among `headers`, "" if absent.
  std::string_view header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < k.size() && same; ++i) same = (k[i] | 0x20) == (name[i] | 0x20);
      if (same) return v;
    }
    return {};
  }

  std::string_view path() const {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
  }
  std::string_view query() const {
    std::string_view t = target;
    size_t q = t.find('?');
    return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Sends the response for one request. Call exactly once, from any thread;
// the connection waits (no pipelining) until it is called.
using Responder = std::function<void(HttpResponse)>;

// Handles one complete request. Runs on a server thread: it must not block
// for long; slow work hands `respond` to another thread.
using HttpHandler = std::function<void(HttpRequest&&, Responder)>;

// Runs on each request's head (method, target, content type, the headers
// Authorization, Host, Origin and X-Scope-OrgID, remote address; no body yet) before the
// body is read and before the handler. Returns true to go on (and may set
// head.tenant, passed on to the handler); false with *deny filled to answer
// *deny and close the connection.
using RequestGate = std::function<bool(HttpRequest& head, HttpResponse* deny)>;

// Builds the answer for errors the server detects itself (body too large,
// malformed HTTP) in the handler's error format. `content_type` is the
// request's Content-Type.
using ErrorResponder =
    std::function<HttpResponse(int http_status, std::string_view content_type, std::string message)>;

// What an HttpServer reports about its connections (relaxed atomics,
// statistics only).
struct HttpServerCounters {
  std::atomic<uint64_t> accepted{0};
  // Times the server stopped accepting because max_connections were open.
  std::atomic<uint64_t> connection_limit_reached{0};
  // Requests refused because the body budget had no room for their body.
  std::atomic<uint64_t> over_body_budget{0};
};

}  // namespace callpath::daemon
