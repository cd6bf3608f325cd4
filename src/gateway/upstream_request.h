// Writing the head of a request sent upstream.
//
// The head is built once per request (BuildUpstreamPrefix); each attempt
// then truncates it to the prefix and appends its own propagation fields
// and framing (FinishUpstreamHead).
#pragma once

#include <string>
#include <string_view>

#include "callpath/context.h"
#include "gateway/exchange.h"
#include "gateway/message.h"
#include "gateway/router.h"
#include "gateway/runtime.h"

namespace callpath::gateway {

// Into `head`: the request line (target rewritten for `route`) and the
// client's fields without hop-by-hop, propagation and X-Forwarded-* fields,
// then the gateway's X-Forwarded-For (`client.ip` appended), -Proto (https
// when `client.tls`) and -Host. An untrusted client's
// trace-context fields of every known format are left out as well.
void BuildUpstreamPrefix(std::string& head, const Message& req, const Route& route,
                         const Runtime& rt, const ClientAddress& client, bool trusted_client);

// Appends the fields `rt`'s propagators inject for `attempt_ctx`, the
// Content-Length when `send_length`, and the blank line that ends the head.
void FinishUpstreamHead(std::string& head, const Runtime& rt, const Context& attempt_ctx,
                        bool send_length, size_t body_size);

// Whether a request is sent with a Content-Length, as Beast's
// prepare_payload frames one: when there is a body or the method expects one.
inline bool SendsContentLength(std::string_view method, size_t body_size) {
  return body_size != 0 || method == "POST" || method == "PUT" || method == "OPTIONS";
}

}  // namespace callpath::gateway
