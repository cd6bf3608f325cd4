// One attempt at a request upstream: a pooled connection or a new one,
// the head and body sent, the response read into a Message.
//
// Threads: the worker's thread only.
#pragma once

#include <cstdint>
#include <string>

#include "gateway/asio_types.h"
#include "gateway/message.h"
#include "gateway/retry_policy.h"
#include "gateway/runtime.h"
#include "gateway/worker_io.h"

namespace callpath::gateway {

struct AttemptRequest {
  const std::string* head = nullptr;  // complete, with its blank line
  const std::string* body = nullptr;
  bool head_request = false;  // HEAD: the response has no body
  bool idempotent = false;    // may be resent after a connection broke mid-exchange
  Clock::time_point deadline;  // for connecting, sending and reading
  uint64_t max_body = 0;       // a larger response body fails the attempt
};

// Sends `req` to `ep` and reads the answer into `out`. The connection is
// taken from io.pool when one is idle and returned there when it can be
// reused. A pooled connection the upstream had closed is replaced by one new
// connection within the attempt: nothing was processed on it.
Task<AttemptResult> RunAttempt(WorkerIo& io, EndpointState& ep, const UpstreamState& up,
                               AttemptRequest req, Message& out);

}  // namespace callpath::gateway
