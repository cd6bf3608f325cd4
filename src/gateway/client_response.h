// Writing the response head (and choosing the body) for a client: proxied
// answers re-framed, and the responses the gateway makes itself.
//
// Every response carries the trace it is part of (traceresponse and
// X-Trace-ID) and a Content-Length: bodies are complete in memory.
#pragma once

#include <string>
#include <string_view>

#include "callpath/span_context.h"
#include "gateway/exchange.h"

namespace callpath::gateway {

// How the response to one request is framed.
struct ClientFraming {
  unsigned version = 11;      // 10 or 11, the request's
  bool keep_alive = true;     // whether the connection stays open
  bool head_request = false;  // HEAD: no body follows the head
};

// Re-frames ex.upstream_res for the client into ex.head, ex.body: its
// connection-level and trace fields are dropped, the gateway's own added.
// Returns the status.
int WriteProxiedResponse(Exchange& ex, const SpanContext& span, const ClientFraming& framing);

// A JSON error response with `status`, `message` and the trace id, into
// ex.head, ex.error_body and ex.body.
void WriteErrorResponse(Exchange& ex, const SpanContext& span, const ClientFraming& framing,
                        int status, std::string_view message);

// The response to a request that could not be parsed (400, or 413 when
// `too_big`); the connection is closed after it.
void WriteParseErrorResponse(std::string& head, std::string& body, bool too_big);

// 503 + Retry-After, closing: the gateway holds its limit of request
// bytes in memory (max_inflight_bytes).
void WriteOverloadedResponse(std::string& head, std::string& body);

}  // namespace callpath::gateway
