#include "gateway/proxy_request.h"

#include "gateway/client_response.h"
#include "gateway/edge_policy.h"
#include "gateway/forward.h"
#include "gateway/request_telemetry.h"

namespace callpath::gateway {
namespace {

std::string_view ErrorMessageFor(int status, const Route* route) {
  if (route == nullptr) return "no route matches the request";
  return status == 504 ? "upstream timed out" : "upstream unavailable";
}

}  // namespace

Task<bool> ProxyRequest(WorkerIo& io, Runtime& rt, Exchange& ex, const ClientAddress& client) {
  const Clock::time_point start = Clock::now();
  const Message& req = ex.request;
  const std::string_view target = req.target();
  const std::string_view path = target.substr(0, target.find('?'));

  const EdgeContext edge =
      ExtractAtEdge(rt.config().edge, rt.propagator(), MessageCarrier(req), client.ip);
  const Route* route = rt.router().Match(req.Get("host"), path);
  ServerSpanName(ex.scratch, req.method(), route);
  StartOptions start_options{.kind = SpanKind::kServer, .parent = &edge.parent};
  if (edge.client_context.IsValid()) {
    // An untrusted client's trace is linked, not continued.
    start_options.root = true;
    start_options.links.push_back(SpanLink{
        edge.client_context, {{"callpath.gateway.link", std::string("untrusted_client_context")}}});
  }
  Span server = io.shared.tracer().StartSpan(ex.scratch, std::move(start_options));
  if (server.IsRecording()) SetServerRequestAttributes(server, req, route, client);
  // The request's context for its upstream calls: the server span plus the
  // baggage the edge policy kept.
  const Context server_ctx(server.context(), edge.parent.baggage());

  Outcome outcome;
  bool proxied = false;
  if (route == nullptr) {
    outcome.error_type = "no_route";
  } else {
    proxied =
        co_await Forward(io, rt, *route, ex, server_ctx, client, edge.trusted, outcome);
  }

  const ClientFraming framing{.version = req.version() == 10 ? 10u : 11u,
                              .keep_alive = req.keep_alive && !io.shared.stopping(),
                              .head_request = req.method() == "HEAD"};
  int status = 0;
  if (proxied) {
    status = WriteProxiedResponse(ex, server.context(), framing);
  } else {
    status = route == nullptr ? 404 : GatewayStatusFor(outcome.failure);
    WriteErrorResponse(ex, server.context(), framing, status, ErrorMessageFor(status, route));
  }
  SetServerResponseAttributes(server, status, outcome);
  server.End();

  const std::string_view route_label = route ? std::string_view(route->path_prefix) : "";
  io.shared.metrics().CountRequest(route_label, status);
  if (rt.config().access_log.enabled && io.shared.access_log().enabled(log::Level::kInfo)) {
    LogAccess(io.shared.access_log(), req, route_label, status, start, outcome, client,
              server.context());
  }
  co_return framing.keep_alive;
}

}  // namespace callpath::gateway
