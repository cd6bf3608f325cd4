#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <unordered_map>

#include "callpath/grpc/interceptors.h"
#include "grpc/metadata_carrier.h"

namespace callpath::grpc {
namespace {

using ::grpc::experimental::InterceptionHookPoints;

// Contexts of calls in progress, for ServerCallContext().
struct CallRegistry {
  std::mutex mu;
  std::unordered_map<const ::grpc::ServerContextBase*, Context> calls;
};
CallRegistry& Registry() {
  static CallRegistry* registry = new CallRegistry;  // never destroyed: used by late calls
  return *registry;
}

class ServerTracingInterceptor final : public ::grpc::experimental::Interceptor {
 public:
  ServerTracingInterceptor(::grpc::experimental::ServerRpcInfo* info,
                           const ServerOptions& options)
      : info_(info), options_(options) {}

  ~ServerTracingInterceptor() override {
    Deactivate();
    Unregister();
    // A call that never reached PRE_SEND_STATUS (cancelled) still ends.
    if (span_.IsRecording()) span_.SetStatus(SpanStatusCode::kError, "call ended without status");
  }

  void Intercept(::grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Start(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void Start(const detail::RecvMetadataCarrier::Map* metadata) {
    if (started_) return;
    started_ = true;
    detail::RecvMetadataCarrier carrier(metadata);
    const TextMapPropagator& propagator =
        options_.propagator ? *options_.propagator : GlobalPropagator();
    Context parent = propagator.Extract(carrier, Context());
    std::string_view full = info_->method() ? info_->method() : "";
    std::string_view service, method;
    bool split = SplitFullMethod(full, &service, &method);
    std::string name = split ? std::string(full.substr(1)) : std::string(full);
    Tracer tracer = options_.provider ? options_.provider->GetTracer("callpath.grpc")
                                      : GetTracer("callpath.grpc");
    span_ = tracer.StartSpan(name, {.kind = SpanKind::kServer, .parent = &parent});
    span_.SetAttribute("rpc.system", "grpc");
    if (split) {
      span_.SetAttribute("rpc.service", service);
      span_.SetAttribute("rpc.method", method);
    }
    context_ = parent.WithSpanContext(span_.context());
    {
      std::lock_guard<std::mutex> lock(Registry().mu);
      Registry().calls[info_->server_context()] = context_;
      registered_ = true;
    }
    if (options_.activate_on_handler_thread) {
      new (scope_storage_) Scope(context_);
      scope_thread_ = std::this_thread::get_id();
      scope_active_ = true;
    }
  }

  void Finish(const ::grpc::Status& status) {
    Deactivate();
    Unregister();
    ::grpc::StatusCode code = status.error_code();
    span_.SetAttribute("rpc.grpc.status_code", static_cast<int64_t>(code));
    if (IsServerError(code)) span_.SetStatus(SpanStatusCode::kError, status.error_message());
    span_.End();
  }

  // The Scope must end on the thread that made it current. A synchronous
  // service sends its status from the handler thread; if the status comes
  // from elsewhere (an async service), the Scope is abandoned there rather
  // than wrongly restored on this thread — use activate_on_handler_thread =
  // false for such services.
  void Deactivate() {
    if (!scope_active_) return;
    scope_active_ = false;
    if (scope_thread_ == std::this_thread::get_id()) {
      std::launder(reinterpret_cast<Scope*>(scope_storage_))->~Scope();
    }
  }

  void Unregister() {
    if (!registered_) return;
    registered_ = false;
    std::lock_guard<std::mutex> lock(Registry().mu);
    Registry().calls.erase(info_->server_context());
  }

  ::grpc::experimental::ServerRpcInfo* info_;
  const ServerOptions& options_;
  Span span_;
  Context context_;
  bool started_ = false;
  bool registered_ = false;
  bool scope_active_ = false;
  std::thread::id scope_thread_;
  alignas(Scope) unsigned char scope_storage_[sizeof(Scope)];
};

}  // namespace

::grpc::experimental::Interceptor* ServerInterceptorFactory::CreateServerInterceptor(
    ::grpc::experimental::ServerRpcInfo* info) {
  return new ServerTracingInterceptor(info, options_);
}

Context ServerCallContext(const ::grpc::ServerContextBase* server_context) {
  std::lock_guard<std::mutex> lock(Registry().mu);
  auto it = Registry().calls.find(server_context);
  return it == Registry().calls.end() ? Context() : it->second;
}

void EnableServerTracing(
    ::grpc::ServerBuilder& builder, ServerOptions options,
    std::vector<std::unique_ptr<::grpc::experimental::ServerInterceptorFactoryInterface>> others) {
  std::vector<std::unique_ptr<::grpc::experimental::ServerInterceptorFactoryInterface>> all;
  all.push_back(std::make_unique<ServerInterceptorFactory>(std::move(options)));
  for (auto& f : others) all.push_back(std::move(f));
  builder.experimental().SetInterceptorCreators(std::move(all));
}

}  // namespace callpath::grpc
