#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>

#include <condition_variable>
#include <fstream>
#include <sstream>
#include <mutex>

#include "loadgen/sender.h"

namespace callpath::loadgen {
namespace {

class GrpcSender : public Sender {
 public:
  GrpcSender(const std::string& target, std::shared_ptr<grpc::ChannelCredentials> credentials, std::string token)
      : channel_(grpc::CreateChannel(target, std::move(credentials))), stub_(channel_),
        authorization_(token.empty() ? "" : "Bearer " + token) {}

  SendResult Send(Signal signal, std::string_view body) override {
    grpc::Slice slice(body.data(), body.size());
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext ctx;
    if (!authorization_.empty()) ctx.AddMetadata("authorization", authorization_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub_.UnaryCall(&ctx,
                    signal == Signal::kTraces
                        ? "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
                        : "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
                    grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_one();
                    });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done; });
    }
    SendResult r;
    if (status.ok()) {
      r.kind = SendResult::Kind::kOk;
      std::string bytes;
      std::vector<grpc::Slice> slices;
      if (response.Dump(&slices).ok())
        for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      r.rejected = RejectedFromResponse(bytes);
    } else if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
               status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      r.kind = SendResult::Kind::kThrottled;
      r.error = status.error_message();
    } else {
      r.kind = SendResult::Kind::kFailed;
      r.error = "gRPC " + std::to_string(status.error_code()) + ": " + status.error_message();
    }
    return r;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  std::string authorization_;
};

}  // namespace

std::unique_ptr<Sender> MakeGrpcSender(const std::string& endpoint, const SenderSecurity& security) {
  std::string target = endpoint;
  if (target.starts_with("http://")) target = target.substr(7);
  if (target.starts_with("https://")) target = target.substr(8);
  while (!target.empty() && target.back() == '/') target.pop_back();
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!security.ca_file.empty()) {
    std::ifstream in(security.ca_file);
    std::stringstream pem;
    pem << in.rdbuf();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem.str();
    credentials = grpc::SslCredentials(ssl);
  }
  return std::make_unique<GrpcSender>(target, std::move(credentials), security.token);
}

}  // namespace callpath::loadgen
