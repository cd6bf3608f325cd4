#include "callpath/http/client_span.h"

#include <string>

#include "callpath/http/server_span.h"

namespace callpath::http {

ClientSpan::ClientSpan(std::string_view method, std::string_view url, TextMapCarrier& out,
                       const ClientOptions& options) {
  Tracer tracer = options.provider ? options.provider->GetTracer("callpath.http")
                                   : GetTracer("callpath.http");
  std::string_view normalized = NormalizeMethod(method);
  span_ = tracer.StartSpan(normalized == "_OTHER" ? "HTTP" : normalized,
                           {.kind = SpanKind::kClient});
  const TextMapPropagator& propagator =
      options.propagator ? *options.propagator : GlobalPropagator();
  // The callee's parent is this CLIENT span, and the caller's baggage goes along.
  propagator.Inject(Context::Current().WithSpanContext(span_.context()), out);
  if (!span_.IsRecording()) return;
  try {
    UrlParts parts = ParseUrl(url);
    span_.SetAttribute("http.request.method", normalized);
    if (normalized == "_OTHER") span_.SetAttribute("http.request.method_original", method);
    span_.SetAttribute("url.full", std::string_view(parts.redacted));
    if (!parts.host.empty()) span_.SetAttribute("server.address", std::string_view(parts.host));
    if (parts.port > 0) span_.SetAttribute("server.port", parts.port);
  } catch (...) {
  }
}

void ClientSpan::End(int status_code) noexcept {
  if (status_code > 0) span_.SetAttribute("http.response.status_code", status_code);
  if (status_code >= 400 || status_code < 100) {
    span_.SetStatus(SpanStatusCode::kError);
    if (status_code >= 400 && status_code <= 599) {
      try {
        span_.SetAttribute("error.type", std::string_view(std::to_string(status_code)));
      } catch (...) {
      }
    } else {
      span_.SetAttribute("error.type", "_OTHER");
    }
  }
  span_.End();
}

void ClientSpan::EndWithError(std::string_view error_type, std::string_view message) noexcept {
  span_.SetAttribute("error.type", error_type.empty() ? std::string_view("_OTHER") : error_type);
  span_.SetStatus(SpanStatusCode::kError, message);
  span_.End();
}

}  // namespace callpath::http
