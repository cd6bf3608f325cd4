#include "daemon/grpc_call.h"

#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace callpath::testing {

grpc::Status GrpcUnaryCall(uint16_t port, const std::string& method, const std::string& bytes,
                           const std::vector<std::pair<std::string, std::string>>& metadata,
                           std::string* response) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::Slice slice(bytes.data(), bytes.size());
  grpc::ByteBuffer req(&slice, 1), resp;
  grpc::ClientContext ctx;
  for (const auto& [k, v] : metadata) ctx.AddMetadata(k, v);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    status = s;
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  std::vector<grpc::Slice> slices;
  if (response && resp.Dump(&slices).ok()) {
    for (auto& s : slices) response->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return status;
}

}  // namespace callpath::testing
