// The MCP endpoint's protocol rules (Streamable HTTP transport, lifecycle,
// JSON-RPC), one test per rule, over a real (empty) store.
#include "daemon/serve/mcp_server.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/rocksdb/rocksdb_store.h"

namespace callpath::daemon {
namespace {

constexpr uint64_t kNow = 1'800'000'000'000'000'000ull;

constexpr char kInitialize[] =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
    R"("capabilities":{},"clientInfo":{"name":"test","version":"1"}}})";

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

class McpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/mcp-server-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    store::RocksDbOptions o;
    o.path = dir_;
    o.write_buffer_bytes = 4 << 20;
    auto s = store::OpenRocksDbStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    server_ = std::make_unique<McpServer>(McpOptions{});
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResponse Call(std::string method, std::string body,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest req;
    req.method = std::move(method);
    req.target = "/api/mcp";
    req.content_type = "application/json";
    req.body = std::move(body);
    req.headers = std::move(headers);
    return server_->Handle(req, kNow, *store_);
  }
  HttpResponse Post(std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Call("POST", std::move(body), std::move(headers));
  }
  // Initializes and returns the session id.
  std::string Initialize() {
    HttpResponse r = Post(kInitialize);
    EXPECT_EQ(r.status, 200) << r.body;
    return HeaderOf(r, "Mcp-Session-Id");
  }

  simdjson::dom::element Parse(const std::string& body) {
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(body).get(e), simdjson::SUCCESS) << body;
    return e;
  }
  int64_t ErrorCode(const HttpResponse& r) {
    int64_t code = 0;
    EXPECT_EQ(Parse(r.body)["error"]["code"].get(code), simdjson::SUCCESS) << r.body;
    return code;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<McpServer> server_;
  simdjson::dom::parser parser_;
};

TEST_F(McpServerTest, InitializeAnswersServerInfoToolsCapabilityAndASession) {
  HttpResponse r = Post(kInitialize);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  auto doc = Parse(r.body);
  EXPECT_EQ(std::string_view(doc["jsonrpc"]), "2.0");
  EXPECT_EQ(int64_t(doc["id"]), 0);  // id 0 is an id, not a notification
  EXPECT_EQ(std::string_view(doc["result"]["protocolVersion"]), "2025-06-18");
  EXPECT_EQ(std::string_view(doc["result"]["serverInfo"]["name"]), "callpathd");
  EXPECT_TRUE(doc["result"]["capabilities"]["tools"].is_object());
  std::string session = HeaderOf(r, "Mcp-Session-Id");
  EXPECT_EQ(session.size(), 32u);
  EXPECT_NE(session, Initialize());  // every initialize opens its own session
}

TEST_F(McpServerTest, VersionNegotiationEchoesSupportedVersionsAndOffersTheLatestOtherwise) {
  for (std::string v : {"2025-03-26", "2025-06-18", "2025-11-25", "2024-11-05", "1999-01-01"}) {
    HttpResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")" + v +
                          R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    std::string_view got = Parse(r.body)["result"]["protocolVersion"];
    EXPECT_EQ(got, v.starts_with("2025") ? std::string_view(v) : kMcpLatestVersion) << v;
  }
}

TEST_F(McpServerTest, UnsupportedProtocolVersionHeaderIs400) {
  std::string session = Initialize();
  HttpResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
                        {{"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2024-01-01"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("MCP-Protocol-Version"), std::string::npos);
  r = Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})",
           {{"Mcp-Session-Id", session}, {"mcp-protocol-version", "2025-06-18"}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(McpServerTest, EndedOrUnknownSessionIs404AndDeleteEndsIt) {
  std::string session = Initialize();
  HttpResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", {{"Mcp-Session-Id", session}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Call("DELETE", "", {{"Mcp-Session-Id", session}}).status, 200);
  r = Post(R"({"jsonrpc":"2.0","id":2,"method":"ping"})", {{"Mcp-Session-Id", session}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Call("DELETE", "", {{"Mcp-Session-Id", session}}).status, 404);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":3,"method":"ping"})", {{"Mcp-Session-Id", "feedbeef"}}).status, 404);
  // A client that keeps no session is served.
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":4,"method":"ping"})").status, 200);
}

TEST_F(McpServerTest, NotificationsAndClientResponsesAre202WithoutBody) {
  std::string session = Initialize();
  HttpResponse r = Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", {{"Mcp-Session-Id", session}});
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(r.body.empty());
  r = Post(R"({"jsonrpc":"2.0","id":"s1","result":{}})", {{"Mcp-Session-Id", session}});
  // An answer to a server request (an id, no method) is accepted the same way.
  EXPECT_EQ(r.status, 202);
}

TEST_F(McpServerTest, StringAndZeroIdsAreEchoedExactly) {
  auto doc = Parse(Post(R"({"jsonrpc":"2.0","id":"abc-1","method":"ping"})").body);
  EXPECT_EQ(std::string_view(doc["id"]), "abc-1");
  EXPECT_TRUE(doc["result"].is_object());
  doc = Parse(Post(R"({"jsonrpc":"2.0","id":0,"method":"ping"})").body);
  EXPECT_EQ(int64_t(doc["id"]), 0);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":null,"method":"ping"})").status, 400);
}

TEST_F(McpServerTest, GetIs405AndBatchIs400) {
  HttpResponse r = Call("GET", "");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(HeaderOf(r, "Allow"), "POST, DELETE");
  r = Post(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), -32600);
}

TEST_F(McpServerTest, ParseErrorIs32700) {
  HttpResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":)");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorCode(r), -32700);
}

TEST_F(McpServerTest, UnknownMethodIs32601AndUnknownToolOrBadArgumentsIs32602) {
  EXPECT_EQ(ErrorCode(Post(R"({"jsonrpc":"2.0","id":1,"method":"resources/list"})")), -32601);
  EXPECT_EQ(ErrorCode(Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}})")), -32602);
  EXPECT_EQ(ErrorCode(Post(R"({"jsonrpc":"2.0","id":3,"method":"tools/call",)"
                           R"("params":{"name":"get_trace","arguments":{"trace_id":7}}})")),
            -32602);
  EXPECT_EQ(ErrorCode(Post(R"({"jsonrpc":"2.0","id":4,"method":"tools/call",)"
                           R"("params":{"name":"get_trace","arguments":{}}})")),
            -32602);
  EXPECT_EQ(ErrorCode(Post(R"({"jsonrpc":"2.0","id":5,"method":"tools/call",)"
                           R"("params":{"name":"list_services","arguments":{"colour":"red"}}})")),
            -32602);
}

TEST_F(McpServerTest, ForeignOriginIs403AndLocalOrMissingOriginIsServed) {
  const char* ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  EXPECT_EQ(Post(ping, {{"Origin", "https://evil.example"}}).status, 403);
  EXPECT_EQ(Post(ping, {{"Origin", "http://localhost.evil.example"}}).status, 403);
  EXPECT_EQ(Post(ping, {{"Origin", "null"}}).status, 403);
  EXPECT_EQ(Post(ping, {{"Origin", "http://localhost:5173"}}).status, 200);
  EXPECT_EQ(Post(ping, {{"Origin", "http://127.0.0.1"}}).status, 200);
  EXPECT_EQ(Post(ping, {{"Origin", "http://[::1]:8080"}}).status, 200);
  EXPECT_EQ(Post(ping).status, 200);
}

TEST_F(McpServerTest, ToolsListGivesSchemasAndReadOnlyHints) {
  HttpResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> names;
  for (auto tool : Parse(r.body)["result"]["tools"].get_array()) {
    names.emplace_back(std::string_view(tool["name"]));
    EXPECT_EQ(std::string_view(tool["inputSchema"]["type"]), "object");
    EXPECT_EQ(std::string_view(tool["outputSchema"]["type"]), "object");
    EXPECT_TRUE(bool(tool["annotations"]["readOnlyHint"]));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"list_services", "list_operations", "search_traces", "get_trace",
                                             "get_critical_path", "get_trace_logs", "search_logs",
                                             "get_span_details", "get_service_dependencies", "explain_trace",
                                             "diagnose", "compare_traces", "get_service_metrics"}));
}

TEST_F(McpServerTest, ToolErrorsAreResultsWithIsErrorAndAHint) {
  HttpResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":"tools/call",)"
                        R"("params":{"name":"get_trace","arguments":{"trace_id":"xyz"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = Parse(r.body)["result"];
  EXPECT_TRUE(bool(result["isError"]));
  EXPECT_NE(std::string_view(result["content"].at(0)["text"]).find("hex digits"), std::string_view::npos);
  r = Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/call",)"
           R"("params":{"name":"get_trace","arguments":{"trace_id":"0af7651916cd43dd8448eb211c80319c"}}})");
  result = Parse(r.body)["result"];
  EXPECT_TRUE(bool(result["isError"]));
  EXPECT_NE(std::string_view(result["content"].at(0)["text"]).find("not found"), std::string_view::npos);
  r = Post(R"({"jsonrpc":"2.0","id":3,"method":"tools/call",)"
           R"("params":{"name":"search_traces","arguments":{"start":"yesterday-ish"}}})");
  result = Parse(r.body)["result"];
  EXPECT_TRUE(bool(result["isError"])) << r.body;
  EXPECT_NE(std::string_view(result["content"].at(0)["text"]).find("argument start"), std::string_view::npos);
}

TEST_F(McpServerTest, EmptyStoreListsAreEmptyArraysNotNull) {
  HttpResponse r = Post(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_services"}})");
  auto sc = Parse(r.body)["result"]["structuredContent"];
  EXPECT_TRUE(sc["services"].is_array()) << r.body;
  EXPECT_EQ(int64_t(sc["total_count"]), 0);
  EXPECT_FALSE(bool(sc["truncated"]));
}

TEST(McpOrigin, LoopbackHostsOnly) {
  EXPECT_TRUE(IsLoopbackOrigin("http://localhost"));
  EXPECT_TRUE(IsLoopbackOrigin("https://127.0.0.1:3000"));
  EXPECT_TRUE(IsLoopbackOrigin("http://[::1]"));
  EXPECT_FALSE(IsLoopbackOrigin("http://[::1]evil"));
  EXPECT_FALSE(IsLoopbackOrigin("http://127.0.0.1.evil.example"));
  EXPECT_FALSE(IsLoopbackOrigin("localhost"));
}

}  // namespace
}  // namespace callpath::daemon
