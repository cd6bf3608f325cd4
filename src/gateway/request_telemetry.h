// What a request reports about itself: the attributes of its SERVER span
// and of the CLIENT span of each upstream attempt (OpenTelemetry HTTP
// semantic conventions), and its access-log line.
//
// The Set* functions are called only for recording spans, so a request that
// is not sampled pays nothing for its attributes.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "callpath/log/logger.h"
#include "callpath/trace.h"
#include "gateway/exchange.h"
#include "gateway/retry_policy.h"
#include "gateway/router.h"
#include "gateway/runtime.h"

namespace callpath::gateway {

// The SERVER span's name ("GET /api"; the method alone without a route),
// into `out`.
void ServerSpanName(std::string& out, std::string_view method, const Route* route);

// REQUIRES: server.IsRecording().
void SetServerRequestAttributes(Span& server, const Message& req, const Route* route,
                                const ClientAddress& client);

// Status and error attributes once the response is known; `outcome` says
// why the gateway made the response itself, if it did.
void SetServerResponseAttributes(Span& server, int status, const Outcome& outcome);

// REQUIRES: client.IsRecording(). `target` is the request target sent
// upstream; `scratch` is reused for url.full.
void SetClientRequestAttributes(Span& client, std::string_view method, const EndpointState& ep,
                                const UpstreamState& up, std::string_view target, int attempt,
                                std::string& scratch);

// Status and error attributes for how an attempt ended.
void SetClientResultAttributes(Span& client, const AttemptResult& result);

// One access-log line for a finished request, carrying the ids of
// `server_span`.
void LogAccess(const log::Logger& log, const Message& req, std::string_view route, int status,
               std::chrono::steady_clock::time_point start, const Outcome& outcome,
               const ClientAddress& client, const SpanContext& server_span);

}  // namespace callpath::gateway
