#include "gateway/upstream_request.h"

#include "gateway/edge_policy.h"
#include "gateway/head_format.h"
#include "gateway/http_text.h"

namespace callpath::gateway {
namespace {

bool IsPropagationField(std::string_view name, const Runtime& rt) {
  for (std::string_view p : rt.propagation_fields()) {
    if (detail::AsciiIEquals(name, p)) return true;
  }
  return false;
}

}  // namespace

void BuildUpstreamPrefix(std::string& head, const Message& req, const Route& route,
                         const Runtime& rt, const ClientAddress& client, bool trusted_client) {
  const std::string_view host = req.Get("host");
  head.clear();
  head.append(req.method()).push_back(' ');
  if (route.strip_prefix.empty()) {
    head.append(req.target());
  } else {
    head.append(UpstreamTarget(req.target(), route));
  }
  head.append(" HTTP/1.1\r\n");
  for (size_t i = 0; i < req.field_count(); ++i) {
    const std::string_view name = req.field_name(i);
    if (IsHopByHopField(name) || req.IsConnectionOption(name)) continue;
    if (IsOneOf(name, {"x-forwarded-for", "x-forwarded-proto"})) continue;
    if (!host.empty() && detail::AsciiIEquals(name, "x-forwarded-host")) continue;
    // Each attempt injects its own context.
    if (IsPropagationField(name, rt)) continue;
    if (!trusted_client && IsTraceContextField(name)) continue;
    AppendField(head, name, req.field_value(i));
  }
  AppendField(head, "X-Forwarded-For", AppendForwardedFor(req.Get("x-forwarded-for"), client.ip));
  head.append(client.tls ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n");
  if (!host.empty()) AppendField(head, "X-Forwarded-Host", host);
}

void FinishUpstreamHead(std::string& head, const Runtime& rt, const Context& attempt_ctx,
                        bool send_length, size_t body_size) {
  {
    AppendCarrier out(head);
    rt.propagator().Inject(attempt_ctx, out);
  }
  if (send_length) {
    head.append("Content-Length: ");
    AppendUnsigned(head, body_size);
    head.append("\r\n", 2);
  }
  head.append("\r\n", 2);
}

}  // namespace callpath::gateway
