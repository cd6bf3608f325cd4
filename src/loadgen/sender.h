// How callpath-loadgen talks to a collector: one blocking export at a time
// per Sender (each worker thread owns one, with its own connection).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace callpath::loadgen {

enum class Signal { kTraces, kLogs };

struct SendResult {
  enum class Kind {
    kOk,         // accepted (maybe partially: see rejected)
    kThrottled,  // 429 / 503 / RESOURCE_EXHAUSTED / UNAVAILABLE: retry later
    kFailed,     // any other answer, or a transport error
  };
  Kind kind = Kind::kFailed;
  uint64_t rejected = 0;        // from partial_success
  double retry_after_s = 0;     // from Retry-After, when given
  std::string error;            // for kFailed
};

class Sender {
 public:
  virtual ~Sender() = default;
  virtual SendResult Send(Signal signal, std::string_view body) = 0;
};

// What a sender presents to a callpathd with API keys and TLS.
struct SenderSecurity {
  std::string token;    // sent as "Authorization: Bearer <token>" when not empty
  std::string ca_file;  // gRPC only: TLS, trusting this CA (PEM); "" = plain
};

// endpoint: "http://host:port[/base]" (OTLP/HTTP protobuf; paths
// <base>/v1/traces and <base>/v1/logs). Only literal IPs or names that
// resolve; connects lazily and reconnects after errors. Plain HTTP only.
std::unique_ptr<Sender> MakeHttpSender(const std::string& endpoint, bool gzip, const SenderSecurity& security = {});
// endpoint: "host:port" or "http://host:port" (OTLP/gRPC; TLS with
// security.ca_file, then the host must match the server's certificate).
std::unique_ptr<Sender> MakeGrpcSender(const std::string& endpoint, const SenderSecurity& security = {});

// Reads partial_success.rejected_* (field 1.1) of an Export*ServiceResponse.
uint64_t RejectedFromResponse(std::string_view body);

}  // namespace callpath::loadgen
