// Forwarding one request upstream, with the retries its route allows.
//
// Threads: the worker's thread only.
#pragma once

#include "callpath/context.h"
#include "gateway/asio_types.h"
#include "gateway/exchange.h"
#include "gateway/router.h"
#include "gateway/runtime.h"
#include "gateway/worker_io.h"

namespace callpath::gateway {

// Sends ex.request to `route`'s upstream, one CLIENT span (a child of
// `server_ctx`) per attempt. True with the answer in ex.upstream_res; false
// when every attempt failed (outcome.failure says how). Fills
// outcome.upstream and outcome.attempts either way. `trusted_client`: the
// edge policy's verdict on the client (its trace-context fields are
// forwarded only when trusted).
Task<bool> Forward(WorkerIo& io, Runtime& rt, const Route& route, Exchange& ex,
                   const Context& server_ctx, const ClientAddress& client, bool trusted_client,
                   Outcome& outcome);

}  // namespace callpath::gateway
