#include "gateway/request_telemetry.h"

#include "callpath/context.h"
#include "gateway/http_text.h"
#include "sdk/url_redaction.h"

namespace callpath::gateway {

void ServerSpanName(std::string& out, std::string_view method, const Route* route) {
  out.assign(SemconvMethod(method));
  if (route != nullptr) out.append(" ").append(route->path_prefix);
}

void SetServerRequestAttributes(Span& server, const Message& req, const Route* route,
                                const ClientAddress& client) {
  const std::string_view method = req.method();
  const std::string_view sem_method = SemconvMethod(method);
  const std::string_view target = req.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string_view host = req.Get("host");
  server.SetAttribute("http.request.method", sem_method);
  if (sem_method == "_OTHER") server.SetAttribute("http.request.method_original", method);
  server.SetAttribute("url.path", path);
  if (path.size() < target.size()) {
    const std::string query = internal::RedactQuery(target.substr(path.size() + 1));
    server.SetAttribute("url.query", std::string_view(query));
  }
  server.SetAttribute("url.scheme", client.tls ? "https" : "http");
  if (route != nullptr) server.SetAttribute("http.route", std::string_view(route->path_prefix));
  const std::string bare_host = HostWithoutPort(host);
  if (!bare_host.empty()) {
    server.SetAttribute("server.address", std::string_view(bare_host));
    server.SetAttribute("server.port", PortFromHost(host, client.local_port));
  }
  server.SetAttribute("client.address", std::string_view(client.ip));
  server.SetAttribute("network.peer.address", std::string_view(client.ip));
  server.SetAttribute("network.peer.port", static_cast<int>(client.port));
  server.SetAttribute("network.protocol.version", req.version() == 10 ? "1.0" : "1.1");
  const std::string_view ua = req.Get("user-agent");
  if (!ua.empty()) server.SetAttribute("user_agent.original", ua);
}

void SetServerResponseAttributes(Span& server, int status, const Outcome& outcome) {
  if (!server.IsRecording()) return;
  server.SetAttribute("http.response.status_code", status);
  if (status < 500) return;
  if (!outcome.error_type.empty() && outcome.error_type != "no_route") {
    server.SetAttribute("error.type", outcome.error_type);
  } else {
    server.SetAttribute("error.type", std::string_view(std::to_string(status)));
  }
  server.SetStatus(SpanStatusCode::kError, outcome.error_type);
}

void SetClientRequestAttributes(Span& client, std::string_view method, const EndpointState& ep,
                                const UpstreamState& up, std::string_view target, int attempt,
                                std::string& scratch) {
  const std::string_view sem_method = SemconvMethod(method);
  client.SetAttribute("http.request.method", sem_method);
  if (sem_method == "_OTHER") client.SetAttribute("http.request.method_original", method);
  client.SetAttribute("server.address", std::string_view(ep.address.host));
  client.SetAttribute("server.port", static_cast<int>(ep.address.port));
  client.SetAttribute("network.peer.address", std::string_view(ep.ip));
  scratch.assign(up.config().tls.enabled ? "https://" : "http://")
      .append(ep.key)
      .append(internal::RedactTarget(target));
  client.SetAttribute("url.full", std::string_view(scratch));
  if (attempt > 1) client.SetAttribute("http.request.resend_count", attempt - 1);
  client.SetAttribute("callpath.gateway.upstream", std::string_view(up.config().name));
}

void SetClientResultAttributes(Span& client, const AttemptResult& result) {
  if (result.outcome == AttemptOutcome::kResponse) {
    client.SetAttribute("http.response.status_code", result.status);
    if (result.status >= 400) {
      client.SetAttribute("error.type", std::string_view(std::to_string(result.status)));
      client.SetStatus(SpanStatusCode::kError);
    }
  } else {
    const std::string_view type = ErrorTypeFor(result.outcome);
    client.SetAttribute("error.type", type);
    client.SetStatus(SpanStatusCode::kError, type);
  }
}

void LogAccess(const log::Logger& log, const Message& req, std::string_view route, int status,
               std::chrono::steady_clock::time_point start, const Outcome& outcome,
               const ClientAddress& client, const SpanContext& server_span) {
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  Scope scope{Context(server_span)};  // the line carries this request's ids
  // Credential query parameters are scrubbed here as on the spans.
  const std::string target = internal::RedactTarget(req.target());
  log.info("request", {"method", req.method()}, {"path", std::string_view(target)}, {"route", route},
           {"status", status}, {"duration_ms", ms}, {"upstream", outcome.upstream},
           {"attempts", outcome.attempts}, {"client", std::string_view(client.ip)});
}

}  // namespace callpath::gateway
