#include "cli/mcp_stdio.h"

#include <simdjson.h>

#include <istream>
#include <ostream>
#include <string_view>

#include "cli/text.h"
#include "text/json_escape.h"

namespace callpath::cli {
namespace {

// What the relay needs of a message: its id as JSON text ("" for a
// notification), and whether it is the `initialize` request.
struct MessageHead {
  std::string id;
  bool initialize = false;
  bool valid = false;
};

MessageHead ReadHead(std::string_view line) {
  MessageHead head;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) return head;
  head.valid = true;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return head;
  simdjson::dom::element id;
  if (obj["id"].get(id) == simdjson::SUCCESS) head.id = simdjson::minify(id);
  std::string_view method;
  if (obj["method"].get_string().get(method) == simdjson::SUCCESS) head.initialize = method == "initialize";
  return head;
}

// result.protocolVersion of an initialize answer, "" if absent.
std::string NegotiatedVersion(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return {};
  std::string_view version;
  if (doc["result"]["protocolVersion"].get_string().get(version) != simdjson::SUCCESS) return {};
  return std::string(version);
}

std::string ErrorAnswer(const std::string& id, const std::string& message) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"id\":" + (id.empty() ? std::string("null") : id) +
                    ",\"error\":{\"code\":-32603,\"message\":";
  text::AppendJsonQuoted(message, &out);
  return out + "}}";
}

}  // namespace

int RunMcpStdio(const std::string& server, long timeout_seconds, std::istream& in, std::ostream& out, std::ostream& err,
                const HttpPerformer& http) {
  const std::string endpoint = server + "/api/mcp";
  std::string session, version;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const MessageHead head = ReadHead(line);
    HttpCall call;
    call.method = "POST";
    call.url = endpoint;
    call.body = line;
    call.timeout_seconds = timeout_seconds;
    call.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
    if (!session.empty()) call.headers.emplace_back("Mcp-Session-Id", session);
    if (!version.empty()) call.headers.emplace_back("MCP-Protocol-Version", version);
    HttpReply reply = http(call);
    if (!reply.answered) {
      err << "callpath mcp: cannot reach " << Sanitize(endpoint) << ": " << Sanitize(reply.error) << "\n";
      // A notification gets no answer, whatever happened to it.
      if (!head.valid || !head.id.empty()) {
        out << ErrorAnswer(head.id, "callpath server " + endpoint + " unreachable: " + reply.error) << "\n";
        out.flush();
      }
      continue;
    }
    if (head.initialize && reply.status == 200) {
      session = reply.Header("mcp-session-id");
      version = NegotiatedVersion(reply.body);
    }
    if (reply.status == 404 && !session.empty()) {
      err << "callpath mcp: the server ended the session; the agent must initialize again\n";
      session.clear();
      version.clear();
    }
    // A notification's acknowledgement carries nothing to relay; a line
    // that is not JSON gets the server's parse error (id null).
    if (reply.status == 202 || (head.valid && head.id.empty())) continue;
    if (reply.status >= 400 && reply.body.find("\"jsonrpc\"") == std::string::npos) {
      // An HTTP refusal without a JSON-RPC answer: the agent still gets one.
      out << ErrorAnswer(head.id, "callpath server answered HTTP " + std::to_string(reply.status) +
                                      (reply.body.empty() ? "" : ": " + reply.body))
          << "\n";
      out.flush();
      continue;
    }
    if (reply.body.empty()) continue;
    out << reply.body;
    if (reply.body.back() != '\n') out << '\n';
    out.flush();
  }
  if (!session.empty()) {
    HttpCall end;
    end.method = "DELETE";
    end.url = endpoint;
    end.timeout_seconds = timeout_seconds;
    end.headers = {{"Mcp-Session-Id", session}};
    (void)http(end);
  }
  return 0;
}

}  // namespace callpath::cli
