// `callpath mcp`: the MCP stdio transport for agents that launch a process.
// Reads JSON-RPC messages from `in`, one per line (MCP's stdio framing),
// sends each to callpathd's Streamable HTTP endpoint (SERVER/api/mcp) and
// writes each answer to `out` as one line. The session id and the protocol
// version the server chose at `initialize` go with every later message; at
// the end of `in` the session is ended (DELETE).
//
// A message the server cannot be reached for is answered with a JSON-RPC
// error (-32603) naming the server, and the relay goes on with the next
// line; notes for people go to `err`. Returns 0 at the end of `in`.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include "cli/http_client.h"

namespace callpath::cli {

using HttpPerformer = std::function<HttpReply(const HttpCall&)>;

int RunMcpStdio(const std::string& server, long timeout_seconds, std::istream& in, std::ostream& out, std::ostream& err,
                const HttpPerformer& http = HttpPerform);

}  // namespace callpath::cli
