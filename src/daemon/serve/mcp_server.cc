#include "daemon/serve/mcp_server.h"

#include <simdjson.h>

#include <array>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>

#include "daemon/serve/mcp_tools.h"
#include "text/hex.h"
#include "text/json_writer.h"

namespace callpath::daemon {
namespace {

constexpr std::array<std::string_view, 3> kVersions = {"2025-11-25", "2025-06-18", "2025-03-26"};
constexpr char kServerName[] = "callpathd";
constexpr char kServerVersion[] = "0.1.0";

bool SupportedVersion(std::string_view v) {
  for (std::string_view s : kVersions) {
    if (s == v) return true;
  }
  return false;
}

// A JSON-RPC id kept as the JSON text it came as (0, 7, "abc"), so that the
// answer repeats it exactly.
using RawId = std::optional<std::string>;

HttpResponse JsonBody(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

HttpResponse RpcError(int http_status, const RawId& id, int code, std::string_view message) {
  text::JsonWriter w;
  w.BeginObject();
  w.Field("jsonrpc", "2.0");
  w.Key("id");
  if (id) w.RawValue(*id);
  else w.Null();
  w.Key("error");
  w.BeginObject();
  w.FieldInt("code", code);
  w.Field("message", message);
  w.EndObject();
  w.EndObject();
  return JsonBody(http_status, w.Take());
}

HttpResponse RpcResult(const std::string& id, std::string_view result_json) {
  text::JsonWriter w;
  w.BeginObject();
  w.Field("jsonrpc", "2.0");
  w.Key("id");
  w.RawValue(id);
  w.Key("result");
  w.RawValue(result_json);
  w.EndObject();
  return JsonBody(200, w.Take());
}

std::string InitializeResult(std::string_view version) {
  text::JsonWriter w;
  w.BeginObject();
  w.Field("protocolVersion", version);
  w.Key("capabilities");
  w.BeginObject();
  w.Key("tools");
  w.BeginObject();
  w.FieldBool("listChanged", false);
  w.EndObject();
  w.EndObject();
  w.Key("serverInfo");
  w.BeginObject();
  w.Field("name", kServerName);
  w.Field("title", "callpath trace and log store");
  w.Field("version", kServerVersion);
  w.EndObject();
  w.Field("instructions",
          "Read-only access to the traces and logs callpathd keeps. Start with list_services or "
          "search_traces, then get_trace and search_logs with a trace_id.");
  w.EndObject();
  return w.Take();
}

// The id as JSON text: integers (0 included) and strings; anything else
// (null, fractions, objects) is not a valid request id.
std::optional<std::string> IdText(simdjson::dom::element id) {
  int64_t i;
  if (id.get_int64().get(i) == simdjson::SUCCESS) return std::to_string(i);
  uint64_t u;
  if (id.get_uint64().get(u) == simdjson::SUCCESS) return std::to_string(u);
  std::string_view s;
  if (id.get_string().get(s) == simdjson::SUCCESS) {
    text::JsonWriter w;
    w.String(s);
    return w.Take();
  }
  return std::nullopt;
}

std::string NewSessionId() {
  std::random_device rd;  // /dev/urandom: ids must not be guessable
  std::string bytes(16, '\0');
  for (size_t i = 0; i < bytes.size(); i += 4) {
    uint32_t r = rd();
    for (size_t k = 0; k < 4; ++k) bytes[i + k] = static_cast<char>((r >> (8 * k)) & 0xff);
  }
  return text::HexString(bytes);
}

}  // namespace

bool IsLoopbackOrigin(std::string_view origin) {
  size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view host = origin.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  if (host.starts_with("[")) {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') return false;
    return host.substr(0, close + 1) == "[::1]";
  }
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host == "127.0.0.1";
}

struct McpServer::Impl {
  explicit Impl(McpOptions o) : options(o) {}

  McpOptions options;
  std::mutex mu;
  // Sessions, most recently used first, with an index into the list.
  std::list<std::string> sessions;
  std::unordered_map<std::string, std::list<std::string>::iterator> session_index;

  // Sessions are kept as "<tenant> <id>" (a space never occurs in either),
  // so that an id is unknown to every other tenant.
  static std::string SessionKey(std::string_view tenant, std::string_view id) {
    return std::string(tenant) + " " + std::string(id);
  }

  std::string OpenSession(std::string_view tenant) {
    std::string id = NewSessionId();
    std::string key = SessionKey(tenant, id);
    std::lock_guard lock(mu);
    sessions.push_front(key);
    session_index[key] = sessions.begin();
    while (sessions.size() > options.max_sessions) {
      session_index.erase(sessions.back());
      sessions.pop_back();
    }
    return id;
  }

  // True when the session exists (and marks it used); `end` removes it.
  bool TouchSession(std::string_view tenant, std::string_view id, bool end) {
    std::string key = SessionKey(tenant, id);
    std::lock_guard lock(mu);
    auto it = session_index.find(key);
    if (it == session_index.end()) return false;
    sessions.erase(it->second);
    session_index.erase(it);
    if (!end) {
      sessions.push_front(key);
      session_index[key] = sessions.begin();
    }
    return true;
  }

  HttpResponse Post(const HttpRequest& req, uint64_t now_ns, store::Store& store);
  HttpResponse Dispatch(std::string_view method, const std::string& id,
                        const std::optional<simdjson::dom::object>& params, uint64_t now_ns,
                        std::string_view tenant, store::Store& store);
};

McpServer::McpServer(McpOptions options) : impl_(std::make_unique<Impl>(options)) {}

McpServer::~McpServer() = default;

HttpResponse McpServer::Handle(const HttpRequest& req, uint64_t now_ns, store::Store& store) {
  std::string_view origin = req.header("Origin");
  if (impl_->options.loopback_only && !origin.empty() && !IsLoopbackOrigin(origin)) {
    return RpcError(403, std::nullopt, -32000, "Origin '" + std::string(origin) + "' is not allowed: "
                                               "callpathd listens on loopback and serves pages of this machine only");
  }
  std::string_view session = req.header("Mcp-Session-Id");
  if (req.method == "DELETE") {
    if (session.empty()) return RpcError(400, std::nullopt, -32000, "DELETE needs the Mcp-Session-Id header");
    if (!impl_->TouchSession(req.tenant, session, /*end=*/true)) return RpcError(404, std::nullopt, -32001, "session not found");
    HttpResponse ended;
    ended.status = 200;
    return ended;
  }
  if (req.method != "POST") {
    HttpResponse r = RpcError(405, std::nullopt, -32000,
                              "use POST for JSON-RPC messages; this server opens no event stream");
    r.headers.emplace_back("Allow", "POST, DELETE");
    return r;
  }
  std::string_view version = req.header("MCP-Protocol-Version");
  if (!version.empty() && !SupportedVersion(version)) {
    return RpcError(400, std::nullopt, -32000,
                    "unsupported MCP-Protocol-Version '" + std::string(version) +
                        "': use 2025-11-25, 2025-06-18 or 2025-03-26");
  }
  return impl_->Post(req, now_ns, store);
}

HttpResponse McpServer::Impl::Post(const HttpRequest& req, uint64_t now_ns, store::Store& store) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(req.body).get(doc) != simdjson::SUCCESS) {
    return RpcError(400, std::nullopt, -32700, "parse error: the body is not valid JSON");
  }
  if (doc.is_array()) {
    return RpcError(400, std::nullopt, -32600, "batches (JSON arrays) are not supported: send one message per request");
  }
  simdjson::dom::object msg;
  if (doc.get_object().get(msg) != simdjson::SUCCESS) {
    return RpcError(400, std::nullopt, -32600, "invalid request: want a JSON-RPC 2.0 object");
  }
  std::string_view jsonrpc, method;
  if (msg["jsonrpc"].get(jsonrpc) != simdjson::SUCCESS || jsonrpc != "2.0") {
    return RpcError(400, std::nullopt, -32600, "invalid request: jsonrpc must be \"2.0\"");
  }
  bool has_method = msg["method"].get(method) == simdjson::SUCCESS;
  bool has_id = !msg["id"].error();
  bool is_response = !has_method && (!msg["result"].error() || !msg["error"].error());
  std::string_view session = req.header("Mcp-Session-Id");
  bool initialize = has_method && method == "initialize";
  if (!session.empty() && !initialize && !TouchSession(req.tenant, session, false)) {
    return RpcError(404, std::nullopt, -32001, "session not found: it ended or the server restarted; initialize again");
  }
  // Notifications, and the client's answers to server requests, get no reply.
  if (is_response || (has_method && !has_id)) {
    HttpResponse r;
    r.status = 202;
    return r;
  }
  RawId id = has_id ? IdText(msg["id"].value()) : std::nullopt;
  if (!has_method) return RpcError(400, id, -32600, "invalid request: method must be a string");
  if (!id) return RpcError(400, std::nullopt, -32600, "invalid request: id must be a string or an integer");
  std::optional<simdjson::dom::object> params;
  if (simdjson::dom::object p; msg["params"].get(p) == simdjson::SUCCESS) params = p;
  return Dispatch(method, *id, params, now_ns, req.tenant, store);
}

HttpResponse McpServer::Impl::Dispatch(std::string_view method, const std::string& id,
                                       const std::optional<simdjson::dom::object>& params,
                                       uint64_t now_ns, std::string_view tenant, store::Store& store) {
  if (method == "initialize") {
    std::string_view offered;
    if (!params || (*params)["protocolVersion"].get(offered) != simdjson::SUCCESS) {
      return RpcError(200, id, -32602, "initialize needs params.protocolVersion (a string)");
    }
    std::string_view version = SupportedVersion(offered) ? offered : kMcpLatestVersion;
    HttpResponse r = RpcResult(id, InitializeResult(version));
    r.headers.emplace_back("Mcp-Session-Id", OpenSession(tenant));
    return r;
  }
  if (method == "ping") return RpcResult(id, "{}");
  if (method == "tools/list") return RpcResult(id, McpTools::ListTools());
  if (method == "tools/call") {
    std::string_view name;
    if (!params || (*params)["name"].get(name) != simdjson::SUCCESS) {
      return RpcError(200, id, -32602, "tools/call needs params.name (a string)");
    }
    std::optional<simdjson::dom::object> args;
    simdjson::dom::element a;
    if ((*params)["arguments"].get(a) == simdjson::SUCCESS && !a.is_null()) {
      simdjson::dom::object obj;
      if (a.get_object().get(obj) != simdjson::SUCCESS) {
        return RpcError(200, id, -32602, "tools/call: params.arguments must be an object");
      }
      args = obj;
    }
    ToolCallOutcome out = McpTools(store, options.result_budget_bytes, options.assemble).Call(name, args, now_ns);
    if (out.invalid_params) return RpcError(200, id, -32602, out.message);
    return RpcResult(id, out.result);
  }
  return RpcError(200, id, -32601, "method not found: " + std::string(method));
}

}  // namespace callpath::daemon
