// w3c-test-service: the service side of the W3C Trace Context test harness
// (github.com/w3c/trace-context, test/). The harness POSTs to /test a JSON
// array of {"url": ..., "arguments": ...}; for each entry this service POSTs
// `arguments` (as JSON) to `url`, continuing the incoming trace through a
// new child span. Only the W3C trace-context propagator (traceparent +
// tracestate, Level 2) is used, whatever OTEL_PROPAGATORS says.
//
//   build/bin/w3c-test-service --port 5000 &
//   cd trace-context/test && STRICT_LEVEL=2 python3 test.py http://127.0.0.1:5000/test
//
// docs/w3c-conformance.md has the full procedure and the latest results;
// tests/w3c/ replays the key scenarios against this service in CTest.
//
// Spans are exported as the OTEL_* variables say (OTEL_TRACES_EXPORTER=none
// to export nothing).
#include <signal.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "callpath/http/httplib.h"
#include "callpath/propagation.h"
#include "callpath/trace.h"

namespace {

// Calls every {"url", "arguments"} of `body`; a malformed body or entry is
// skipped (the harness never sends one). Returns false if `body` is not a
// JSON array.
bool RunTestCases(const std::string& body, const callpath::http::ClientOptions& options) {
  simdjson::dom::parser parser;
  simdjson::dom::array cases;
  if (parser.parse(body).get(cases)) return false;
  for (simdjson::dom::element entry : cases) {
    std::string_view url;
    simdjson::dom::element arguments;
    if (entry["url"].get(url) || entry["arguments"].get(arguments)) continue;
    callpath::http::UrlParts parts = callpath::http::ParseUrl(url);
    if (parts.host.empty() || parts.port <= 0) continue;
    std::string origin = parts.scheme + "://" +
                         (parts.host.find(':') != std::string::npos ? "[" + parts.host + "]"
                                                                    : parts.host) +
                         ":" + std::to_string(parts.port);
    std::string target = parts.path + (parts.query.empty() ? "" : "?" + parts.query);
    callpath::http::TracedClient client(origin, options);
    client.client().set_connection_timeout(10);
    client.client().set_read_timeout(10);
    client.Post(target, simdjson::minify(arguments), "application/json");
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int port = -1;
  std::string host = "127.0.0.1";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--port") port = std::atoi(argv[i + 1]);
    else if (arg == "--host") host = argv[i + 1];
  }
  if (port < 0) {
    std::fprintf(stderr, "usage: w3c-test-service --port P [--host H]\n");
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  setenv("OTEL_SERVICE_NAME", "w3c-test-service", 0);
  auto provider = callpath::TracerProvider::Create();
  callpath::SetGlobalTracerProvider(provider);
  static const callpath::W3CTraceContextPropagator w3c;

  callpath::http::ServerOptions server_options;
  server_options.propagator = &w3c;
  server_options.trace_id_header.clear();
  callpath::http::ClientOptions client_options{.propagator = &w3c};

  {
    callpath::http::TracedServer server(server_options);
    server.Post("/test", [&](const httplib::Request& req, httplib::Response& res) {
      if (!RunTestCases(req.body, client_options)) {
        res.status = 400;
        res.set_content("expected a JSON array of {url, arguments}\n", "text/plain");
        return;
      }
      res.set_content("ok", "text/plain");
    });
    int bound = port == 0 ? server.bind_to_any_port(host)
                          : (server.bind_to_port(host, port) ? port : -1);
    if (bound <= 0) {
      std::fprintf(stderr, "w3c-test-service: cannot listen on %s:%d\n", host.c_str(), port);
      return 1;
    }
    std::printf("w3c-test-service http=%d\n", bound);
    std::fflush(stdout);
    std::thread stopper([&] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      server.stop();
    });
    server.listen_after_bind();
    stopper.join();
  }
  provider->Shutdown(std::chrono::seconds(5));
  return 0;
}
