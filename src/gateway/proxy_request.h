// Serving one parsed client request: routing, forwarding, the response for
// the client, and what the request reports (span, metrics, access log).
//
// Threads: the worker's thread only.
#pragma once

#include "gateway/asio_types.h"
#include "gateway/exchange.h"
#include "gateway/runtime.h"
#include "gateway/worker_io.h"

namespace callpath::gateway {

// Serves ex.request and fills ex.head and ex.body with the response for the
// client (sending it is the caller's). Returns whether the connection stays
// open.
Task<bool> ProxyRequest(WorkerIo& io, Runtime& rt, Exchange& ex, const ClientAddress& client);

}  // namespace callpath::gateway
