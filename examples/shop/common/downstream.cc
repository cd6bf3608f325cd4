#include "common/downstream.h"

#include <chrono>

#include "callpath/http/httplib.h"
#include "common/json.h"

namespace shop {

std::string CallResult::Describe() const {
  if (status == 0) return error;
  std::string s = "HTTP " + std::to_string(status);
  // Prefer the service's own explanation ({"error": "..."}).
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!body.empty() && parser.parse(body).get(doc) == simdjson::SUCCESS) {
    if (auto e = GetString(doc, "error")) s += ": " + std::string(*e);
  }
  return s;
}

CallResult HttpDownstream::Get(const std::string& path) const { return Call("GET", path, {}); }

CallResult HttpDownstream::PostJson(const std::string& path, const std::string& body) const {
  return Call("POST", path, body);
}

CallResult HttpDownstream::Call(const std::string& method, const std::string& path,
                                const std::string& body) const {
  callpath::http::TracedClient client(base_url_);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout_);
  auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(timeout_ - secs);
  client.client().set_connection_timeout(secs.count(), usecs.count());
  client.client().set_read_timeout(secs.count(), usecs.count());
  client.client().set_write_timeout(secs.count(), usecs.count());

  auto start = std::chrono::steady_clock::now();
  httplib::Result r = method == "GET" ? client.Get(path)
                                      : client.Post(path, body, "application/json");
  CallResult out;
  out.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
  if (r) {
    out.status = r->status;
    out.body = r->body;
    return out;
  }
  // httplib reports a read timeout as a plain read error; the clock tells.
  bool slow = out.elapsed + Millis(50) >= timeout_;
  switch (r.error()) {
    case httplib::Error::Connection:
      out.error = "connection refused";
      break;
    case httplib::Error::ConnectionTimeout:
      out.timed_out = true;
      out.error = "connect timed out after " + std::to_string(timeout_.count()) + "ms";
      break;
    case httplib::Error::Read:
      out.timed_out = slow;
      out.error = slow ? "timed out after " + std::to_string(timeout_.count()) + "ms"
                       : "connection closed before a response";
      break;
    default:
      out.error = httplib::to_string(r.error());
  }
  return out;
}

}  // namespace shop
