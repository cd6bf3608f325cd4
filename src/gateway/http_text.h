// Small pieces of HTTP text handling the proxy needs, kept free of Beast so
// they are cheap to test and to fuzz.
#pragma once

#include <string>
#include <string_view>

namespace callpath::gateway {

// Fields that describe one connection, not the message (RFC 9110 7.6.1),
// plus the ones the gateway rewrites itself (Content-Length, Expect: bodies
// are buffered and re-framed). Compared ignoring case.
bool IsHopByHopField(std::string_view name) noexcept;

// http.request.method: a known method as is, anything else "_OTHER".
std::string_view SemconvMethod(std::string_view method) noexcept;

// The body of a response the gateway makes itself:
// {"error":"<message>","trace_id":"<32 hex>"}.
std::string ErrorBody(std::string_view message, std::string_view trace_id);

// X-Forwarded-For for the upstream request: the client's value, if any,
// followed by the peer address.
std::string AppendForwardedFor(std::string_view existing, std::string_view peer);

}  // namespace callpath::gateway
