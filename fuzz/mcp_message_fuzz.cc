// Feeds arbitrary bodies to callpathd's MCP endpoint (POST /api/mcp): every
// input must get a known status and, when it has a body, valid JSON with
// "jsonrpc":"2.0" - never a crash, a hang or a sanitizer report. The first
// byte picks the request's method and headers.
#include <simdjson.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "daemon/serve/mcp_server.h"
#include "store/rocksdb/rocksdb_store.h"

namespace {

// One store and server for the whole run; the scratch store is removed at exit.
struct Fixture {
  Fixture() : dir(std::filesystem::temp_directory_path() / ("fuzz-mcp-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    callpath::store::RocksDbOptions o;
    o.path = dir;
    auto s = callpath::store::OpenRocksDbStore(o);
    if (!s.ok()) __builtin_trap();
    store = std::move(s).value();
    server = std::make_unique<callpath::daemon::McpServer>(callpath::daemon::McpOptions{});
  }
  ~Fixture() {
    server.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<callpath::store::Store> store;
  std::unique_ptr<callpath::daemon::McpServer> server;
};

Fixture& Fixed() {
  static Fixture fixture;
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  callpath::daemon::HttpRequest req;
  uint8_t pick = data[0];
  req.method = (pick & 3) == 0 ? "GET" : (pick & 3) == 1 ? "DELETE" : "POST";
  req.target = "/api/mcp";
  if (pick & 4) req.headers.emplace_back("Origin", (pick & 8) ? "http://localhost:3000" : "https://x.example");
  if (pick & 16) req.headers.emplace_back("Mcp-Session-Id", "00112233445566778899aabbccddeeff");
  if (pick & 32) req.headers.emplace_back("MCP-Protocol-Version", (pick & 64) ? "2025-06-18" : "2024-01-01");
  req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  callpath::daemon::HttpResponse r = Fixed().server->Handle(req, 1'800'000'000'000'000'000ull, *Fixed().store);
  switch (r.status) {
    case 200: case 202: case 400: case 403: case 404: case 405: break;
    default: __builtin_trap();
  }
  if (r.body.empty()) return 0;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view version;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS || doc["jsonrpc"].get(version) != simdjson::SUCCESS ||
      version != "2.0") {
    __builtin_trap();
  }
  return 0;
}
