#include "cli/mcp_stdio.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace callpath::cli {
namespace {

std::string HeaderOf(const HttpCall& call, const std::string& name) {
  for (const auto& [k, v] : call.headers) {
    if (k == name) return v;
  }
  return {};
}

// Answers as callpathd's /api/mcp does and records what the relay sent.
struct RecordingServer {
  std::vector<HttpCall> calls;
  HttpReply operator()(const HttpCall& call) {
    calls.push_back(call);
    HttpReply r;
    r.answered = true;
    if (call.method == "DELETE") {
      r.status = 200;
    } else if (call.body.find("\"initialize\"") != std::string::npos) {
      r.status = 200;
      r.headers = {{"mcp-session-id", "s-1"}};
      r.body = R"({"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-03-26"}})";
    } else if (call.body.find("\"id\"") == std::string::npos) {
      r.status = 202;
    } else if (call.body.find("gone") != std::string::npos) {
      r.status = 404;  // the session ended on the server
    } else {
      r.status = 200;
      r.body = R"({"jsonrpc":"2.0","id":2,"result":{}})";
    }
    return r;
  }
};

TEST(McpStdioTest, CarriesTheSessionAndVersionAndEndsTheSessionAtEndOfInput) {
  RecordingServer server;
  std::istringstream in(
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\"}}\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\r\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunMcpStdio("http://h:1", 5, in, out, err, std::ref(server)), 0);
  ASSERT_EQ(server.calls.size(), 4u);
  EXPECT_EQ(server.calls[0].url, "http://h:1/api/mcp");
  EXPECT_EQ(HeaderOf(server.calls[0], "Mcp-Session-Id"), "");
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(HeaderOf(server.calls[i], "Mcp-Session-Id"), "s-1");
    EXPECT_EQ(HeaderOf(server.calls[i], "MCP-Protocol-Version"), "2025-03-26");
  }
  EXPECT_EQ(server.calls[2].body, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}") << "the CR is dropped";
  EXPECT_EQ(server.calls[3].method, "DELETE");
  EXPECT_EQ(HeaderOf(server.calls[3], "Mcp-Session-Id"), "s-1");
  // Two answers; the notification's 202 is not relayed.
  EXPECT_EQ(out.str(),
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-03-26\"}}\n"
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n");
}

TEST(McpStdioTest, ARefusalWithoutAJsonRpcBodyStillAnswersTheRequest) {
  RecordingServer server;
  std::istringstream in(
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}\n"
      "{\"jsonrpc\":\"2.0\",\"id\":\"g\",\"method\":\"gone\"}\n"
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}\n");
  std::ostringstream out, err;
  RunMcpStdio("http://h:1", 5, in, out, err, std::ref(server));
  EXPECT_NE(out.str().find("{\"jsonrpc\":\"2.0\",\"id\":\"g\",\"error\":{\"code\":-32603,"), std::string::npos)
      << out.str();
  EXPECT_NE(err.str().find("ended the session"), std::string::npos);
  ASSERT_EQ(server.calls.size(), 3u) << "no DELETE of a session that has ended";
  EXPECT_EQ(HeaderOf(server.calls[2], "Mcp-Session-Id"), "") << "the ended session is not sent again";
}

}  // namespace
}  // namespace callpath::cli
