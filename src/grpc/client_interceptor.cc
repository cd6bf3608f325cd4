#include <string>

#include "callpath/grpc/interceptors.h"
#include "grpc/metadata_carrier.h"
#include "grpc/rpc_names.h"

namespace callpath::grpc {
namespace {

using ::grpc::experimental::InterceptionHookPoints;

class ClientTracingInterceptor final : public ::grpc::experimental::Interceptor {
 public:
  // Created on the thread that starts the call: its current Context is the
  // parent.
  ClientTracingInterceptor(::grpc::experimental::ClientRpcInfo* info,
                           const ClientOptions& options)
      : options_(options) {
    std::string_view full = info->method() ? info->method() : "";
    std::string_view service, method;
    bool split = SplitFullMethod(full, &service, &method);
    Tracer tracer = options.provider ? options.provider->GetTracer("callpath.grpc")
                                     : GetTracer("callpath.grpc");
    span_ = tracer.StartSpan(split ? full.substr(1) : full, {.kind = SpanKind::kClient});
    span_.SetAttribute("rpc.system", "grpc");
    if (split) {
      span_.SetAttribute("rpc.service", service);
      span_.SetAttribute("rpc.method", method);
    }
    if (!options.target.empty()) {
      std::string host;
      int port;
      detail::ParseTarget(options.target, &host, &port);
      if (!host.empty()) span_.SetAttribute("server.address", std::string_view(host));
      if (port > 0) span_.SetAttribute("server.port", port);
    }
    context_ = span_.ToContext();
  }

  void Intercept(::grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      if (auto* metadata = methods->GetSendInitialMetadata()) {
        detail::SendMetadataCarrier carrier(metadata);
        const TextMapPropagator& propagator =
            options_.propagator ? *options_.propagator : GlobalPropagator();
        propagator.Inject(context_, carrier);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      if (const ::grpc::Status* status = methods->GetRecvStatus()) {
        ::grpc::StatusCode code = status->error_code();
        span_.SetAttribute("rpc.grpc.status_code", static_cast<int64_t>(code));
        if (code != ::grpc::StatusCode::OK) {
          span_.SetStatus(SpanStatusCode::kError, status->error_message());
        }
      }
      span_.End();
    }
    methods->Proceed();
  }

 private:
  const ClientOptions& options_;
  Span span_;
  Context context_;
};

}  // namespace

::grpc::experimental::Interceptor* ClientInterceptorFactory::CreateClientInterceptor(
    ::grpc::experimental::ClientRpcInfo* info) {
  return new ClientTracingInterceptor(info, options_);
}

std::shared_ptr<::grpc::Channel> CreateTracedChannel(
    const std::string& target, const std::shared_ptr<::grpc::ChannelCredentials>& credentials,
    ClientOptions options, const ::grpc::ChannelArguments& args) {
  options.target = target;
  std::vector<std::unique_ptr<::grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<ClientInterceptorFactory>(std::move(options)));
  return ::grpc::experimental::CreateCustomChannelWithInterceptors(target, credentials, args,
                                                                   std::move(factories));
}

}  // namespace callpath::grpc
