// Tracing for gRPC C++ (grpc++ 1.51+) through its interceptor API.
//
// Server (synchronous services):
//
//   grpc::ServerBuilder builder;
//   callpath::grpc::EnableServerTracing(builder);     // before BuildAndStart
//   builder.RegisterService(&service);
//
// Client:
//
//   auto channel = callpath::grpc::CreateTracedChannel(
//       "inventory:50051", grpc::InsecureChannelCredentials());
//   auto stub = shop::Inventory::NewStub(channel);   // every call is traced
//
// Spans follow OpenTelemetry's (classic) RPC conventions: name
// "package.Service/Method", kind SERVER or CLIENT, rpc.system=grpc,
// rpc.service, rpc.method, rpc.grpc.status_code, and server.address /
// server.port on clients. The CLIENT span is an Error for every non-OK
// status; the SERVER span only for UNKNOWN, DEADLINE_EXCEEDED,
// UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS.
//
// Context: trace context travels in the request metadata (lowercase keys,
// the configured propagators). The client span's parent is the Context
// current on the thread that starts the call. On a synchronous server the
// handler runs inside the server span's Context (the interceptor makes it
// current on the handler thread from receipt of the request until the
// status is sent), so the logger and outgoing calls pick it up. Async and
// callback services get their spans, but must look the context up with
// ServerCallContext(server_context) instead.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/context.h"
#include "callpath/propagation.h"
#include "callpath/trace.h"

namespace callpath::grpc {

struct ServerOptions {
  // Null: the global provider, resolved per call.
  std::shared_ptr<TracerProvider> provider;
  // Null: GlobalPropagator(). Not owned; must outlive the server.
  const TextMapPropagator* propagator = nullptr;
  // Make the server span current on the handler thread (synchronous
  // services). Turn off for async/callback-only servers.
  bool activate_on_handler_thread = true;
};

struct ClientOptions {
  std::shared_ptr<TracerProvider> provider;
  const TextMapPropagator* propagator = nullptr;
  // The channel target ("host:port", "dns:///host:port", "ipv4:1.2.3.4:5")
  // for server.address / server.port; "" leaves them out.
  std::string target;
};

// The factories grpc++ asks for one interceptor per call. Thread-safe.
class ServerInterceptorFactory final
    : public ::grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ServerInterceptorFactory(ServerOptions options = {}) : options_(std::move(options)) {}
  ::grpc::experimental::Interceptor* CreateServerInterceptor(
      ::grpc::experimental::ServerRpcInfo* info) override;

 private:
  ServerOptions options_;
};

class ClientInterceptorFactory final
    : public ::grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit ClientInterceptorFactory(ClientOptions options = {}) : options_(std::move(options)) {}
  ::grpc::experimental::Interceptor* CreateClientInterceptor(
      ::grpc::experimental::ClientRpcInfo* info) override;

 private:
  ClientOptions options_;
};

// Installs the server interceptor. grpc++ keeps one list of interceptor
// factories per builder: this replaces a list set earlier, so pass your own
// factories in `others` (they run after tracing, inside the span).
void EnableServerTracing(
    ::grpc::ServerBuilder& builder, ServerOptions options = {},
    std::vector<std::unique_ptr<::grpc::experimental::ServerInterceptorFactoryInterface>> others =
        {});

// A channel whose calls are traced (options.target is set to `target`).
std::shared_ptr<::grpc::Channel> CreateTracedChannel(
    const std::string& target, const std::shared_ptr<::grpc::ChannelCredentials>& credentials,
    ClientOptions options = {}, const ::grpc::ChannelArguments& args = {});

// The server span's Context of a call in progress on this server (any
// thread), or an empty Context when the call is unknown or already ended.
Context ServerCallContext(const ::grpc::ServerContextBase* server_context);

// Splits "/package.Service/Method" into service and method; false (both
// empty) when the name has another shape.
bool SplitFullMethod(std::string_view full, std::string_view* service,
                     std::string_view* method) noexcept;

// The status codes a SERVER span counts as errors.
bool IsServerError(::grpc::StatusCode code) noexcept;

}  // namespace callpath::grpc
