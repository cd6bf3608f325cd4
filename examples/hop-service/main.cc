// hop-service: the smallest instrumented service. Each hop answers
// GET /hop by calling the next hop (if any) and reporting what it saw:
//
//   {"service": "a", "traceparent_received": "00-...", "trace_id": "...",
//    "span_id": "...", "traceparent_sent": "00-...", "downstream_status": 200,
//    "downstream": { ...the next hop's answer... } | null}
//
//   hop-service --port 8081 --name c
//   hop-service --port 8082 --name b --next http://127.0.0.1:8081
//   hop-service --port 8083 --name a --next http://127.0.0.1:8082
//   curl -s localhost:8083/hop | jq .
//
// Options:
//   --port P          HTTP port (0: pick one); the chosen ports are printed as
//                     "hop-service <name> http=<port> grpc=<port>" on stdout
//   --name N          service name (also OTEL_SERVICE_NAME unless that is set)
//   --next URL        http://host:port (GET /hop) or grpc://host:port (Hop.Call)
//   --grpc-port G     also serve the gRPC Hop service on G (0: pick one)
//   --server S        HTTP stack for serving and calling: httplib (default) | beast
//   --host H          listen address (default 127.0.0.1)
//   --fail            answer 500 (HTTP) / UNAVAILABLE (gRPC): fault injection
//   --async           also hand work to a thread pool and through a message queue
// A failed downstream call makes this hop answer 502 / UNAVAILABLE.
// Spans go wherever the OTEL_* variables point (TracerProvider::Create()).
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "beast_server.h"
#include "callpath/grpc/interceptors.h"
#include "callpath/http/httplib.h"
#include "callpath/trace.h"
#include "hop.grpc.pb.h"
#include "hop.h"

namespace {

class GrpcHop final : public callpath::hop::Hop::Service {
 public:
  explicit GrpcHop(hop::Hopper& hopper) : hopper_(hopper) {}
  grpc::Status Call(grpc::ServerContext* ctx, const callpath::hop::HopRequest*,
                    callpath::hop::HopReply* reply) override {
    std::string received;
    auto it = ctx->client_metadata().find("traceparent");
    if (it != ctx->client_metadata().end()) received.assign(it->second.data(), it->second.size());
    hop::Answer a = hopper_.Handle(received);
    reply->set_json(a.json);
    if (hopper_.config().fail) return {grpc::StatusCode::UNAVAILABLE, "injected failure"};
    if (a.downstream_failed) return {grpc::StatusCode::UNAVAILABLE, "downstream failed"};
    return grpc::Status::OK;
  }

 private:
  hop::Hopper& hopper_;
};

int Usage() {
  std::fprintf(stderr,
               "usage: hop-service --port P --name N [--next URL] [--grpc-port G]\n"
               "                   [--server httplib|beast] [--host H] [--fail] [--async]\n");
  return 2;
}

int StatusFor(const hop::Hopper& hopper, const hop::Answer& a) {
  if (hopper.config().fail) return 500;
  return a.downstream_failed ? 502 : 200;
}

}  // namespace

int main(int argc, char** argv) {
  hop::Config config;
  int port = -1, grpc_port = -1;
  std::string host = "127.0.0.1";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (arg == "--fail") { config.fail = true; continue; }
    if (arg == "--async") { config.async = true; continue; }
    if ((v = value()) == nullptr) return Usage();
    if (arg == "--port") port = std::atoi(v);
    else if (arg == "--grpc-port") grpc_port = std::atoi(v);
    else if (arg == "--name") config.name = v;
    else if (arg == "--next") config.next = v;
    else if (arg == "--server") config.server = v;
    else if (arg == "--host") host = v;
    else return Usage();
  }
  if (port < 0 || (config.server != "httplib" && config.server != "beast")) return Usage();
  while (!config.next.empty() && config.next.back() == '/') config.next.pop_back();

  // Stop on SIGINT/SIGTERM: block them here (every thread inherits the mask)
  // and wait for them on a dedicated thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  setenv("OTEL_SERVICE_NAME", config.name.c_str(), /*overwrite=*/0);
  auto provider = callpath::TracerProvider::Create();
  callpath::SetGlobalTracerProvider(provider);

  {
    hop::Hopper hopper(config);

    std::unique_ptr<grpc::Server> grpc_server;
    GrpcHop grpc_service(hopper);
    int grpc_bound = 0;
    if (grpc_port >= 0) {
      grpc::ServerBuilder builder;
      builder.AddListeningPort(host + ":" + std::to_string(grpc_port),
                               grpc::InsecureServerCredentials(), &grpc_bound);
      builder.RegisterService(&grpc_service);
      callpath::grpc::EnableServerTracing(builder);
      grpc_server = builder.BuildAndStart();
      if (!grpc_server || grpc_bound == 0) {
        std::fprintf(stderr, "hop-service: cannot listen on gRPC port %d\n", grpc_port);
        return 1;
      }
    }

    std::unique_ptr<callpath::http::TracedServer> httplib_server;
    std::unique_ptr<hop::BeastServer> beast_server;
    int http_bound = 0;
    if (config.server == "httplib") {
      httplib_server = std::make_unique<callpath::http::TracedServer>();
      httplib_server->Get("/hop", [&](const httplib::Request& req, httplib::Response& res) {
        hop::Answer a = hopper.Handle(req.get_header_value("traceparent"));
        res.status = StatusFor(hopper, a);
        res.set_content(a.json, "application/json");
      });
      http_bound = port == 0 ? httplib_server->bind_to_any_port(host)
                             : (httplib_server->bind_to_port(host, port) ? port : -1);
    } else {
      try {
        beast_server = std::make_unique<hop::BeastServer>(
            host, port, [&](const hop::BeastRequest& req, hop::BeastResponse& res) -> std::string {
              if (req.method() != boost::beast::http::verb::get || req.target() != "/hop") {
                res.result(boost::beast::http::status::not_found);
                return "";
              }
              auto tp = req["traceparent"];
              hop::Answer a = hopper.Handle(std::string(tp.data(), tp.size()));
              res.result(StatusFor(hopper, a));
              res.set(boost::beast::http::field::content_type, "application/json");
              res.body() = a.json;
              return "/hop";
            });
        http_bound = beast_server->port();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "hop-service: %s\n", e.what());
        http_bound = -1;
      }
    }
    if (http_bound <= 0) {
      std::fprintf(stderr, "hop-service: cannot listen on %s:%d\n", host.c_str(), port);
      return 1;
    }
    std::printf("hop-service %s http=%d grpc=%d\n", config.name.c_str(), http_bound,
                grpc_bound);
    std::fflush(stdout);

    std::thread stopper([&] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      if (httplib_server) httplib_server->stop();
      if (beast_server) beast_server->Stop();
    });
    if (httplib_server) httplib_server->listen_after_bind();
    if (beast_server) beast_server->Run();
    stopper.join();
    if (grpc_server) grpc_server->Shutdown(std::chrono::system_clock::now() +
                                           std::chrono::seconds(5));
  }
  if (callpath::Status s = provider->Shutdown(std::chrono::seconds(10)); !s.ok()) {
    std::fprintf(stderr, "hop-service: spans not all exported at exit: %s\n", s.ToString().c_str());
  }
  return 0;
}
