// What one client connection keeps from request to request, and what one
// request did.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/message.h"
#include "gateway/retry_policy.h"

namespace callpath::gateway {

// Per-connection buffers reused from request to request: in steady state a
// proxied request parses and serialises both of its messages without
// allocating.
struct Exchange {
  Message request;            // the client's request
  std::string upstream_head;  // request line and fields sent upstream
  Message upstream_res;       // the upstream's answer
  std::string head;           // status line and fields sent to the client
  std::string scratch;        // span name, url.full
  std::string error_body;     // body of a response the gateway makes itself
  const std::string* body = nullptr;  // what follows `head`
};

// The two ends of a client connection, as spans and the access log name them.
struct ClientAddress {
  std::string ip;  // the peer's; empty when unknown
  uint16_t port = 0;
  uint16_t local_port = 0;  // the gateway's listening port
  bool tls = false;         // the client connected over TLS (https)
};

// What one request did, for the server span, metrics and the access log.
struct Outcome {
  std::string_view upstream;
  int attempts = 0;
  std::string_view error_type;  // set when the gateway made the response
  AttemptOutcome failure = AttemptOutcome::kResponse;  // the last attempt's, when none answered
};

}  // namespace callpath::gateway
