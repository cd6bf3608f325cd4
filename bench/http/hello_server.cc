// bench_http: a hello-world cpp-httplib server, with or without callpath's
// HTTP middleware, for measuring the middleware's overhead under load
// (run_overhead.sh drives it with wrk).
//
//   bench_http --port 18080 --mode plain     # httplib::Server
//   bench_http --port 18080 --mode traced    # callpath::http::TracedServer
//
// In traced mode every request makes a SERVER span that goes through the
// batch span processor to a DiscardingExporter, so the measurement covers
// extraction, the span, its attributes, the response headers and the
// hand-off, but no network export. The access-log line is off unless
// --access-log is given (it measures the logger, not the middleware).
// Prints "bench_http <mode> http=<port>", serves until SIGINT/SIGTERM, then
// prints the number of spans exported.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "callpath/exporters.h"
#include "callpath/http/httplib.h"
#include "callpath/processor.h"
#include "callpath/trace.h"

int main(int argc, char** argv) {
  int port = 18080;
  std::string mode = "plain";
  bool access_log = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--port" && i + 1 < argc) port = std::atoi(argv[++i]);
    else if (arg == "--mode" && i + 1 < argc) mode = argv[++i];
    else if (arg == "--access-log") access_log = true;
  }
  if (mode != "plain" && mode != "traced") {
    std::fprintf(stderr, "usage: bench_http [--port P] [--mode plain|traced] [--access-log]\n");
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto exporter = std::make_unique<callpath::DiscardingExporter>();
  callpath::DiscardingExporter* discarding = exporter.get();
  std::shared_ptr<callpath::TracerProvider> provider;
  std::unique_ptr<httplib::Server> server;
  auto hello = [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello, world\n", "text/plain");
  };
  if (mode == "traced") {
    callpath::TracerProviderOptions options;
    options.processors.push_back(std::make_unique<callpath::BatchSpanProcessor>(
        std::move(exporter), callpath::Resource{}, callpath::BatchSpanProcessorOptions{}));
    options.force_enabled = true;
    provider = callpath::TracerProvider::Create(std::move(options));
    callpath::SetGlobalTracerProvider(provider);
    callpath::http::ServerOptions server_options;
    server_options.access_log = access_log;
    auto traced = std::make_unique<callpath::http::TracedServer>(server_options);
    traced->Get("/hello", hello);
    server = std::move(traced);
  } else {
    server = std::make_unique<httplib::Server>();
    server->Get("/hello", hello);
  }
  // wrk keeps connections open; httplib's default closes one every 5 requests.
  server->set_keep_alive_max_count(1000000);
  // Small responses on a kept-alive connection otherwise wait for delayed ACKs.
  server->set_tcp_nodelay(true);
  if (!server->bind_to_port("127.0.0.1", port)) {
    std::fprintf(stderr, "bench_http: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  std::printf("bench_http %s http=%d\n", mode.c_str(), port);
  std::fflush(stdout);
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server->stop();
  });
  server->listen_after_bind();
  stopper.join();
  if (provider) {
    (void)provider->Shutdown(std::chrono::seconds(10));
    std::printf("bench_http spans_exported=%llu\n",
                static_cast<unsigned long long>(discarding->spans()));
  }
  return 0;
}
