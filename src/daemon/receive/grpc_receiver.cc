#include "daemon/receive/grpc_receiver.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/byte_buffer.h>

#include <openssl/crypto.h>

#include <chrono>
#include <optional>

#include "daemon/auth/api_key.h"

namespace callpath::daemon {
namespace {

constexpr char kTraceMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr char kLogsMethod[] = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

// One unary call: read the request message, export it, write the answer.
class ExportReactor : public grpc::ServerGenericBidiReactor {
 public:
  ExportReactor(Signal signal, std::string tenant, ExportTarget& exporter, DaemonMetrics& metrics,
                ByteBudget* budget, Encoding encoding = Encoding::kProtobuf)
      : signal_(signal), encoding_(encoding), tenant_(std::move(tenant)), exporter_(exporter), metrics_(metrics), lease_(budget),
        started_(std::chrono::steady_clock::now()) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
    // Held until the answer: the message, and what is made of it meanwhile.
    if (!lease_.GrowTo(request_.Length())) {
      return Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "callpathd holds its limit of request bytes in memory "
                                 "(--max-inflight-bytes); retry later"));
    }
    std::string body;
    grpc::Slice single;
    std::string_view view;
    if (request_.TrySingleSlice(&single).ok()) {
      view = std::string_view(reinterpret_cast<const char*>(single.begin()), single.size());
    } else {
      std::vector<grpc::Slice> slices;
      if (!request_.Dump(&slices).ok()) {
        return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "cannot read request bytes"));
      }
      body.reserve(request_.Length());
      for (const auto& s : slices) body.append(reinterpret_cast<const char*>(s.begin()), s.size());
      view = body;
    }
    metrics_.received_bytes.fetch_add(view.size(), std::memory_order_relaxed);
    metrics_.decompressed_bytes.fetch_add(view.size(), std::memory_order_relaxed);
    exporter_.Export(signal_, encoding_, tenant_, view, [this](ExportOutcome o) { Answer(std::move(o)); });
  }

  void OnWriteDone(bool) override {}
  void OnDone() override { delete this; }

 private:
  void Answer(ExportOutcome o) {
    lease_.Reset();
    metrics_.export_latency[1][static_cast<int>(signal_)].Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    switch (o.code) {
      case ExportOutcome::Code::kOk: {
        std::string body = ExportResponseBody(signal_, Encoding::kProtobuf, o.rejected, o.message);
        grpc::Slice slice(body);
        response_ = grpc::ByteBuffer(&slice, 1);
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
        return;
      }
      case ExportOutcome::Code::kInvalid:
        return Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, o.message));
      case ExportOutcome::Code::kQueueFull:
      case ExportOutcome::Code::kRateLimited:
      case ExportOutcome::Code::kStorageFull:
        return Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, o.message));
      case ExportOutcome::Code::kUnavailable:
        return Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, o.message));
    }
  }

  Signal signal_;
  Encoding encoding_;
  std::string tenant_;
  ExportTarget& exporter_;
  DaemonMetrics& metrics_;
  BudgetLease lease_;
  std::chrono::steady_clock::time_point started_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

// Answers a call with an error status without reading it.
class RefusingReactor : public grpc::ServerGenericBidiReactor {
 public:
  explicit RefusingReactor(grpc::Status status) { Finish(status); }
  void OnDone() override { delete this; }
};

// "ipv4:127.0.0.1:5555" / "ipv6:[::1]:5555" -> the address.
std::string PeerAddress(const std::string& peer) {
  std::string_view p = peer;
  if (size_t colon = p.find(':'); colon != std::string_view::npos) p.remove_prefix(colon + 1);
  if (!p.empty() && p.front() == '[') return std::string(p.substr(1, p.find(']') - 1));
  return std::string(p.substr(0, p.rfind(':')));
}

std::string_view Metadata(grpc::GenericCallbackServerContext* ctx, std::string_view key) {
  const auto& md = ctx->client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  return it == md.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
}

// Null when the call may go on (with *tenant set: the key's, or a trusted
// proxy's x-scope-orgid); else the status to refuse it with.
std::optional<grpc::Status> Refusal(auth::Authenticator* authenticator, const auth::TrustedProxies& proxies,
                                    grpc::GenericCallbackServerContext* ctx, std::string* tenant) {
  const std::string peer = PeerAddress(ctx->peer());
  auth::AccessVerdict v;
  if (authenticator != nullptr && authenticator->enabled()) {
    v = authenticator->Check(Metadata(ctx, "authorization"), peer, auth::kScopeIngest);
  }
  switch (v.code) {
    case auth::AccessVerdict::Code::kAllow: {
      std::string why;
      if (!auth::ResolveTenant(proxies, peer, v.tenant, Metadata(ctx, "x-scope-orgid"), tenant, &why)) {
        return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, why);
      }
      return std::nullopt;
    }
    case auth::AccessVerdict::Code::kUnauthenticated:
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, v.message);
    case auth::AccessVerdict::Code::kForbidden:
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, v.message);
    case auth::AccessVerdict::Code::kThrottled:
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, v.message);
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "unknown verdict");
}

// A call forwarded by a cluster peer: null when it may go on (with
// *tenant from its x-scope-orgid), else the status to refuse it with.
std::optional<grpc::Status> PeerRefusal(const PeerIntake* peers, const auth::TrustedProxies& proxies,
                                        grpc::GenericCallbackServerContext* ctx, std::string* tenant) {
  if (peers == nullptr || peers->local == nullptr) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "this node is not in a cluster; it takes no forwarded calls");
  }
  if (!peers->key.empty()) {
    const std::string want = "Bearer " + peers->key;
    std::string_view got = Metadata(ctx, "authorization");
    if (got.size() != want.size() || CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "a forwarded call needs the cluster key");
    }
  } else if (!proxies.Contains(PeerAddress(ctx->peer()))) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "forwarded calls are taken only from trusted proxies when no cluster key is set");
  }
  std::string_view named = Metadata(ctx, "x-scope-orgid");
  if (!named.empty() && !auth::ValidTenant(named)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "x-scope-orgid is not a tenant name");
  }
  *tenant = std::string(named);
  return std::nullopt;
}

class OtlpGenericService : public grpc::CallbackGenericService {
 public:
  OtlpGenericService(ExportTarget& exporter, DaemonMetrics& metrics, ByteBudget* budget,
                     auth::Authenticator* authenticator, const auth::TrustedProxies& proxies,
                     const PeerIntake* peers)
      : exporter_(exporter), metrics_(metrics), budget_(budget), auth_(authenticator), proxies_(proxies),
        peers_(peers) {}

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    std::string tenant;
    ExportTarget* target = &exporter_;
    Encoding encoding = Encoding::kProtobuf;
    if (!Metadata(ctx, "x-callpath-forwarded").empty()) {
      if (std::optional<grpc::Status> refused = PeerRefusal(peers_, proxies_, ctx, &tenant)) {
        return new RefusingReactor(*refused);
      }
      target = peers_->local;
      if (Metadata(ctx, "x-callpath-encoding") == "json") encoding = Encoding::kJson;
    } else if (std::optional<grpc::Status> refused = Refusal(auth_, proxies_, ctx, &tenant)) {
      return new RefusingReactor(*refused);
    }
    if (ctx->method() == kTraceMethod) {
      return new ExportReactor(Signal::kTraces, std::move(tenant), *target, metrics_, budget_, encoding);
    }
    if (ctx->method() == kLogsMethod) {
      return new ExportReactor(Signal::kLogs, std::move(tenant), *target, metrics_, budget_, encoding);
    }
    return new RefusingReactor(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method " + ctx->method()));
  }

 private:
  ExportTarget& exporter_;
  DaemonMetrics& metrics_;
  ByteBudget* budget_;
  auth::Authenticator* auth_;
  const auth::TrustedProxies& proxies_;
  const PeerIntake* peers_;
};

}  // namespace

const auth::TrustedProxies kNoProxies{};

struct GrpcReceiver::Impl {
  Impl(ExportTarget& e, DaemonMetrics& m, ByteBudget* b, auth::Authenticator* a, const auth::TrustedProxies& p,
       const PeerIntake* peers)
      : service(e, m, b, a, p, peers) {}
  OtlpGenericService service;
  std::unique_ptr<grpc::Server> server;
};

GrpcReceiver::GrpcReceiver(ExportTarget& exporter, DaemonMetrics& metrics, uint64_t max_message_bytes,
                           ByteBudget* budget, auth::Authenticator* authenticator,
                           const auth::TrustedProxies* proxies, const PeerIntake* peers)
    : impl_(std::make_unique<Impl>(exporter, metrics, budget, authenticator, proxies ? *proxies : kNoProxies, peers)),
      max_message_bytes_(max_message_bytes),
      budget_(budget) {}

GrpcReceiver::~GrpcReceiver() { Shutdown(); }

namespace {

std::shared_ptr<grpc::ServerCredentials> Credentials(const TlsFiles& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  namespace gx = grpc::experimental;
  constexpr unsigned kRefreshSeconds = 60;
  auto provider = std::make_shared<gx::FileWatcherCertificateProvider>(tls.key, tls.cert, tls.client_ca, kRefreshSeconds);
  gx::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return gx::TlsServerCredentials(options);
}

}  // namespace

Status GrpcReceiver::Start(const std::string& host, uint16_t port, const TlsFiles& tls) {
  grpc::ServerBuilder builder;
  int selected = 0;
  std::string addr = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                     std::to_string(port);
  builder.AddListeningPort(addr, Credentials(tls), &selected);
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(std::min<uint64_t>(max_message_bytes_, INT32_MAX)));
  builder.RegisterCallbackGenericService(&impl_->service);
  if (budget_ != nullptr) {
    // gRPC buffers a message whole before OnReadDone; the quota makes it
    // stop reading from connections when its buffers reach the budget.
    grpc::ResourceQuota quota("callpathd-otlp-grpc");
    quota.Resize(static_cast<size_t>(budget_->capacity()));
    builder.SetResourceQuota(quota);
  }
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || selected == 0) {
    impl_->server.reset();
    return Unavailable("cannot listen for OTLP/gRPC on " + addr);
  }
  port_ = static_cast<uint16_t>(selected);
  return Status::Ok();
}

void GrpcReceiver::Shutdown() {
  if (impl_->server) {
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    impl_->server->Wait();
    impl_->server.reset();
  }
}

}  // namespace callpath::daemon
