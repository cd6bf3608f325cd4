// The framework-neutral core of HTTP client instrumentation: one CLIENT span
// per physical request attempt, a child of the calling thread's current
// Context, whose context is injected into the outgoing request headers.
//
//   std::vector<std::pair<std::string, std::string>> headers;
//   callpath::HeaderMapCarrier carrier(headers);
//   callpath::http::ClientSpan span("GET", "http://inventory:8080/items/7", carrier);
//   int status = send(request_with(headers));      // your HTTP library
//   span.End(status);                               // or span.EndWithError("timeout", ...)
//
// The cpp-httplib client (callpath/http/httplib.h), Boost.Beast helpers
// (callpath/http/beast.h) and libcurl helper (callpath/http/curl.h) wrap it.
//
// Threads: a ClientSpan is used by one thread at a time.
// Errors: a malformed URL still gives a span (with what could be parsed).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "callpath/context.h"
#include "callpath/propagation.h"
#include "callpath/trace.h"

namespace callpath::http {

struct ClientOptions {
  // Null: the global provider at the time of each request.
  std::shared_ptr<TracerProvider> provider;
  // Inject format. Null: GlobalPropagator(). Not owned.
  const TextMapPropagator* propagator = nullptr;
};

// The parts of an absolute http(s) URL the conventions need.
struct UrlParts {
  std::string scheme;     // lowercase; "" if the URL has none
  std::string host;       // without IPv6 brackets
  int port = -1;          // explicit port, else 80/443 by scheme, else -1
  std::string path;       // "/" when empty
  std::string query;      // without '?'
  std::string redacted;   // the URL with user:password replaced by REDACTED:REDACTED
};
// Never fails: what cannot be parsed stays empty.
UrlParts ParseUrl(std::string_view url);

class ClientSpan {
 public:
  ClientSpan() = default;  // inactive
  // Starts the CLIENT span "{method}" with url.full, server.address,
  // server.port and injects its context (with the current baggage) into
  // `out`. `out` is only written during construction.
  ClientSpan(std::string_view method, std::string_view url, TextMapCarrier& out,
             const ClientOptions& options = {});
  ClientSpan(ClientSpan&&) noexcept = default;
  ClientSpan& operator=(ClientSpan&&) noexcept = default;
  ~ClientSpan() = default;  // the Span ends itself if End was not called

  Span& span() noexcept { return span_; }
  const SpanContext& context() const noexcept { return span_.context(); }

  // A response arrived: http.response.status_code; Error and error.type
  // for 4xx, 5xx and codes that cannot be interpreted. Ends the span.
  void End(int status_code) noexcept;
  // No response (connection refused, timeout, ...): Error with error.type
  // (a low-cardinality name like "connection_refused") and a description.
  void EndWithError(std::string_view error_type, std::string_view message = {}) noexcept;

 private:
  Span span_;
};

}  // namespace callpath::http
