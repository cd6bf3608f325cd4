// A small HTTP upstream for the gateway's integration tests and benchmark.
//
//   gateway_test_upstream --name a --ready-file /tmp/a.port [--port 0]
//                         [--tls-cert server.pem --tls-key server.key]   (HTTPS)
//                         [--keep-alive-seconds N]   (closes idle connections after N s)
//
// Every request is answered with a JSON echo of what arrived:
//   {"name":"a","method":"GET","target":"/x?y","remote_port":41234,
//    "headers":{"traceparent":"...", ...}}
// Paths steer the behaviour (anywhere in the path):
//   /status/<code>   answer with that status
//   /sleep/<ms>      wait first
//   /flaky/<key>     503 on the first request for <key>, 200 afterwards
//   /healthz         200 "ok"
//   /hello           200 "hello" (no echo; the benchmark's cheap answer)
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>

namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = "upstream", ready_file, tls_cert, tls_key;
  int port = 0, keep_alive_seconds = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--name") name = argv[i + 1];
    else if (a == "--ready-file") ready_file = argv[i + 1];
    else if (a == "--port") port = std::atoi(argv[i + 1]);
    else if (a == "--tls-cert") tls_cert = argv[i + 1];
    else if (a == "--tls-key") tls_key = argv[i + 1];
    else if (a == "--keep-alive-seconds") keep_alive_seconds = std::atoi(argv[i + 1]);
  }

  std::unique_ptr<httplib::Server> server_owner =
      tls_cert.empty() ? std::make_unique<httplib::Server>()
                       : std::make_unique<httplib::SSLServer>(tls_cert.c_str(), tls_key.c_str());
  if (!server_owner->is_valid()) {
    std::fprintf(stderr, "cannot load the TLS certificate or key\n");
    return 1;
  }
  httplib::Server& server = *server_owner;
  if (keep_alive_seconds > 0) server.set_keep_alive_timeout(keep_alive_seconds);
  std::mutex mu;
  std::map<std::string, int> flaky_hits;
  static const std::regex kStatus("/status/([0-9]{3})");
  static const std::regex kSleep("/sleep/([0-9]+)");
  static const std::regex kFlaky("/flaky/([A-Za-z0-9_-]+)");

  auto handler = [&](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/healthz") {
      res.set_content("ok", "text/plain");
      return;
    }
    if (req.path == "/hello") {
      res.set_content("hello", "text/plain");
      return;
    }
    std::smatch m;
    int status = 200;
    if (std::regex_search(req.path, m, kSleep)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(m[1].str().c_str())));
    }
    if (std::regex_search(req.path, m, kStatus)) status = std::atoi(m[1].str().c_str());
    if (std::regex_search(req.path, m, kFlaky)) {
      std::lock_guard lock(mu);
      if (flaky_hits[m[1].str()]++ == 0) status = 503;
    }
    std::string target = req.target.empty() ? req.path : req.target;
    std::string body = "{\"name\":" + JsonString(name) + ",\"method\":" + JsonString(req.method) +
                       ",\"target\":" + JsonString(target) +
                       ",\"remote_port\":" + std::to_string(req.remote_port) +
                       ",\"body\":" + JsonString(req.body) + ",\"headers\":{";
    bool first = true;
    for (const auto& [k, v] : req.headers) {
      if (!first) body += ",";
      first = false;
      body += JsonString(Lower(k)) + ":" + JsonString(v);
    }
    body += "}}";
    res.status = status;
    res.set_content(body, "application/json");
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Delete(".*", handler);

  int bound = port == 0 ? server.bind_to_any_port("127.0.0.1") : port;
  if (port != 0 && !server.bind_to_port("127.0.0.1", port)) {
    std::fprintf(stderr, "cannot bind 127.0.0.1:%d\n", port);
    return 1;
  }
  if (bound <= 0) {
    std::fprintf(stderr, "cannot bind\n");
    return 1;
  }
  if (!ready_file.empty()) {
    std::string tmp = ready_file + ".tmp";
    { std::ofstream(tmp) << bound << "\n"; }
    std::rename(tmp.c_str(), ready_file.c_str());
  }
  std::fprintf(stderr, "%s listening on 127.0.0.1:%d\n", name.c_str(), bound);
  server.listen_after_bind();
  return 0;
}
