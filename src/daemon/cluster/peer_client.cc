#include "daemon/cluster/peer_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "otlp/wire/proto_reader.h"

namespace callpath::daemon::cluster {
namespace {

constexpr char kTraceMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr char kLogsMethod[] = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<grpc::ChannelCredentials> Credentials(const ClusterConfig& c) {
  if (c.tls_ca.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(c.tls_ca);
  if (!c.tls_cert.empty()) {
    ssl.pem_cert_chain = ReadFile(c.tls_cert);
    ssl.pem_private_key = ReadFile(c.tls_key);
  }
  return grpc::SslCredentials(ssl);
}

// ExportTraceServiceResponse / ExportLogsServiceResponse: field 1 is the
// partial success, whose fields 1 and 2 are the count and the message.
void ReadPartialSuccess(const grpc::ByteBuffer& response, ExportOutcome* out) {
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return;
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  otlp::ProtoReader r(bytes);
  otlp::ProtoField f;
  while (r.Next(&f)) {
    if (f.number != 1 || f.type != otlp::WireType::kLengthDelimited) continue;
    otlp::ProtoReader ps(f.bytes);
    otlp::ProtoField pf;
    while (ps.Next(&pf)) {
      if (pf.number == 1 && pf.type == otlp::WireType::kVarint) out->rejected = pf.as_uint64();
      if (pf.number == 2 && pf.type == otlp::WireType::kLengthDelimited) out->message = std::string(pf.bytes);
    }
  }
}

ForwardResult ResultOf(const std::string& peer, const grpc::Status& status, const grpc::ByteBuffer& response) {
  ForwardResult r;
  using C = grpc::StatusCode;
  const std::string why = "cluster peer " + peer + ": " + status.error_message();
  switch (status.error_code()) {
    case C::OK: ReadPartialSuccess(response, &r.outcome); break;
    case C::UNAVAILABLE:
    case C::DEADLINE_EXCEEDED:
      r.unreachable = true;
      r.outcome = ExportOutcome{ExportOutcome::Code::kUnavailable, 0, why};
      break;
    case C::INVALID_ARGUMENT: r.outcome = ExportOutcome{ExportOutcome::Code::kInvalid, 0, why}; break;
    case C::RESOURCE_EXHAUSTED: r.outcome = ExportOutcome{ExportOutcome::Code::kQueueFull, 0, why}; break;
    default:
      // A refusal such as UNAUTHENTICATED (a wrong cluster key) is a
      // configuration error; the client retries and the operator sees it.
      r.outcome = ExportOutcome{ExportOutcome::Code::kUnavailable, 0, why};
      break;
  }
  return r;
}

struct Call {
  std::shared_ptr<const std::string> body;  // the request's bytes, not copied
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  std::function<void(ForwardResult)> done;
};

}  // namespace

struct PeerClient::Impl {
  Impl(const Member& peer, const ClusterConfig& c)
      : channel(grpc::CreateCustomChannel(peer.address, Credentials(c), Args())), stub(channel),
        self(c.node), authorization(c.key.empty() ? "" : "Bearer " + c.key),
        timeout(std::chrono::seconds(c.forward_timeout_seconds)) {}

  static grpc::ChannelArguments Args() {
    grpc::ChannelArguments a;
    // A restarted peer should be found again within the down time, not
    // after gRPC's default backoff of up to two minutes.
    a.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    a.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
    a.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    a.SetMaxSendMessageSize(-1);
    return a;
  }

  std::shared_ptr<grpc::Channel> channel;
  grpc::GenericStub stub;
  std::string self;
  std::string authorization;
  std::chrono::seconds timeout;
};

PeerClient::PeerClient(const Member& peer, const ClusterConfig& config)
    : impl_(std::make_unique<Impl>(peer, config)), name_(peer.name) {}

PeerClient::~PeerClient() = default;

void PeerClient::Export(Signal signal, Encoding encoding, std::string_view tenant,
                        std::shared_ptr<const std::string> body, std::function<void(ForwardResult)> done) {
  auto* call = new Call;
  call->done = std::move(done);
  call->body = std::move(body);
  // The call owns the bytes until its callback, after which gRPC no
  // longer reads them.
  grpc::Slice slice(call->body->data(), call->body->size(), grpc::Slice::STATIC_SLICE);
  call->request = grpc::ByteBuffer(&slice, 1);
  call->context.set_deadline(std::chrono::system_clock::now() + impl_->timeout);
  call->context.AddMetadata(kForwardedMetadata, impl_->self);
  if (!impl_->authorization.empty()) call->context.AddMetadata("authorization", impl_->authorization);
  if (!tenant.empty()) call->context.AddMetadata("x-scope-orgid", std::string(tenant));
  if (encoding == Encoding::kJson) call->context.AddMetadata(kEncodingMetadata, "json");
  std::string peer = name_;
  impl_->stub.UnaryCall(&call->context, signal == Signal::kTraces ? kTraceMethod : kLogsMethod, grpc::StubOptions(),
                        &call->request, &call->response, [call, peer](grpc::Status status) {
                          ForwardResult r = ResultOf(peer, status, call->response);
                          auto done = std::move(call->done);
                          delete call;
                          done(std::move(r));
                        });
}

}  // namespace callpath::daemon::cluster
