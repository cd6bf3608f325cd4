// The Model Context Protocol endpoint of the query port: POST /api/mcp,
// the Streamable HTTP transport with JSON answers (no SSE), so that an
// agent can ask callpathd about traces and logs with the tools of
// mcp_tools.h.
//
// Protocol rules kept (MCP 2025-06-18, basic/transports and lifecycle):
//   - initialize negotiates protocolVersion: 2025-06-18, 2025-03-26 and
//     2025-11-25 are echoed when offered; anything else gets the latest one
//     (kMcpLatestVersion). Its answer carries a new Mcp-Session-Id.
//   - A request naming an unknown or ended session gets 404; DELETE with
//     the header ends the session. A request without the header is served
//     (clients that keep no session work too).
//   - Notifications and client responses (no id): 202, no body.
//   - GET: 405 (no server-initiated stream). A batch (JSON array): 400.
//   - MCP-Protocol-Version header other than a supported version: 400.
//   - Origin: when the port listens on loopback, a browser Origin whose
//     host is not localhost / 127.0.0.1 / [::1] gets 403 (DNS rebinding);
//     no Origin header is accepted.
//   - JSON-RPC errors: -32700 parse error, -32600 invalid request, -32601
//     unknown method, -32602 unknown tool or malformed arguments.
//
// Thread-safe: Handle may run on several workers at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "daemon/receive/http_types.h"
#include "query/assembled_trace.h"
#include "store/store.h"

namespace callpath::daemon {

inline constexpr std::string_view kMcpLatestVersion = "2025-11-25";

struct McpOptions {
  // True when the query port listens on a loopback address: web pages of
  // other origins must not reach it through the user's browser.
  bool loopback_only = true;
  // Hard limit on one tools/call result as serialized (text copy included).
  // Agents cap what they read of a result; 64 KiB is ~16k tokens.
  size_t result_budget_bytes = 64 * 1024;
  // Sessions kept at once; the least recently used one is ended beyond it.
  size_t max_sessions = 1024;
  // How traces are assembled (the maximum clock-skew shift), for get_trace
  // and for the HTTP API beside it.
  query::AssembleOptions assemble;
};

class McpServer {
 public:
  explicit McpServer(McpOptions options);
  ~McpServer();

  // Answers one HTTP request to /api/mcp from `store`, the store of the
  // request's tenant (req.tenant; a session belongs to the tenant that
  // opened it and is "not found" for any other). `now_ns`: the time
  // relative time ranges ("15m") count back from.
  HttpResponse Handle(const HttpRequest& req, uint64_t now_ns, store::Store& store);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when `origin` (an Origin header value) names this machine.
bool IsLoopbackOrigin(std::string_view origin);

}  // namespace callpath::daemon
