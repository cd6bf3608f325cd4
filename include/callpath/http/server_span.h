// The framework-neutral core of HTTP server instrumentation: one SERVER span
// per request, named and attributed by OpenTelemetry's stable HTTP semantic
// conventions, its parent extracted from the request headers.
//
// The adapters for cpp-httplib (callpath/http/httplib.h) and Boost.Beast
// (callpath/http/beast.h) are thin layers over ServerSpan; use it directly to
// instrument another framework:
//
//   callpath::http::ServerSpan span(request_info, options);  // starts the span
//   {
//     callpath::Scope scope = span.Activate();   // logger + outgoing calls see it
//     handle(request, response);
//   }
//   span.ForEachResponseHeader([&](std::string_view name, std::string_view value) {
//     response.set(name, value);
//   });
//   span.End(response_status);                   // status, access-log line
//
// Threads: a ServerSpan is used by one thread at a time, like a Span.
// Errors: malformed request headers never fail: they give a new trace.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/context.h"
#include "callpath/propagation.h"
#include "callpath/trace.h"

namespace callpath::http {

// What the access-log line of one request says. Views are valid during the
// hook call only.
struct AccessLogEntry {
  std::string_view method;        // as received
  std::string_view target;        // path and query as received
  std::string_view route;         // "" when unknown
  int status_code = 0;            // 0: no response was produced
  uint64_t duration_ns = 0;
  std::string_view client_address;
  std::string_view user_agent;
  const SpanContext* span = nullptr;  // the server span
};

struct ServerOptions {
  // Where the tracer comes from. Null: the global provider
  // (SetGlobalTracerProvider), resolved at the first request.
  std::shared_ptr<TracerProvider> provider;
  // Extract format. Null: GlobalPropagator() (OTEL_PROPAGATORS). Not owned;
  // must outlive the server.
  const TextMapPropagator* propagator = nullptr;
  // Send `traceresponse: 00-<trace-id>-<span-id>-<flags>` back, so a user
  // can quote the trace in a bug report.
  bool traceresponse_header = true;
  // Also send the trace id alone under this name; "" sends nothing.
  std::string trace_id_header = "X-Trace-ID";
  // url.scheme of the requests this server sees ("https" behind a TLS
  // terminator).
  std::string url_scheme = "http";
  // Take client.address / server.address from Forwarded, X-Forwarded-For
  // and X-Forwarded-Host. Turn off when clients reach the server directly
  // and could forge them.
  bool trust_forwarded_headers = true;
  // One access-log line per request. Null: the callpath::log logger named
  // "http.access" when the library was built with callpath::log, nothing
  // otherwise (see AccessLogAvailable()). The hook runs on the request's
  // thread inside the server span's Context; it must not throw.
  bool access_log = true;
  std::function<void(const AccessLogEntry&)> access_log_hook;
};

// True when this build of callpath::http writes access-log lines through
// callpath::log by default.
bool AccessLogAvailable() noexcept;

// What the framework knows about one incoming request.
struct IncomingRequest {
  std::string_view method;            // "GET"
  std::string_view target;            // request-target: "/users/7?x=1"
  std::string_view route;             // route template ("/users/:id"), "" if unknown
  std::string_view protocol_version;  // "1.1", "2"; "" if unknown
  std::string_view peer_address;      // the TCP peer
  int peer_port = -1;                 // -1: unknown
  int local_port = -1;                // the port the request arrived on
  // The request's header fields; required. Only read during construction.
  const TextMapCarrier* headers = nullptr;
};

class ServerSpan {
 public:
  ServerSpan() = default;  // inactive: every call is a no-op
  // Extracts the parent from `request.headers` and starts the SERVER span
  // with the tracer `options` designate.
  ServerSpan(const IncomingRequest& request, const ServerOptions& options);
  // The same with a tracer the caller has already resolved (an adapter
  // resolves it once per server rather than once per request);
  // options.provider is then not consulted. A default Tracer gives a
  // non-recording span.
  ServerSpan(const IncomingRequest& request, const ServerOptions& options, const Tracer& tracer);
  ServerSpan(ServerSpan&& other) noexcept;
  ServerSpan& operator=(ServerSpan&& other) noexcept;
  ~ServerSpan();  // Ends with status 0 (no response) if End was not called

  bool active() const noexcept { return options_ != nullptr; }
  const Span& span() const noexcept { return span_; }
  Span& span() noexcept { return span_; }
  // The request's Context: the server span plus the extracted baggage.
  const Context& context() const noexcept { return context_; }
  // Makes context() current on this thread while the Scope lives.
  Scope Activate() const noexcept { return Scope(context_); }

  // Records the route template once the router knows it: sets http.route
  // and renames the span "{method} {route}".
  void SetRoute(std::string_view route) noexcept;
  // Records an exception event and sets error.type to its type; the
  // response the framework then sends (normally 500) sets the status.
  void RecordException(const std::exception& e) noexcept;
  void RecordException(std::string_view type, std::string_view message) noexcept;

  // The fields to add to the response: traceresponse and the trace-id
  // header, as configured.
  std::vector<std::pair<std::string, std::string>> ResponseHeaders() const;
  // The same fields without allocating: calls
  // emit(std::string_view name, std::string_view value) for each, in the
  // order ResponseHeaders() lists them. The views are valid during the call.
  template <typename Emit>
  void ForEachResponseHeader(Emit&& emit) const;

  // Sets http.response.status_code, the span status (Error for 5xx or an
  // uninterpretable code, unset otherwise), error.type, writes the access
  // log line and ends the span. status_code 0 means no response was sent.
  // Later calls do nothing.
  void End(int status_code) noexcept;

 private:
  const ServerOptions* options_ = nullptr;  // owned by the caller (the adapter)
  Span span_;
  Context context_;
  uint64_t start_ns_ = 0;
  bool error_type_set_ = false;
  std::string_view method_;  // NormalizeMethod's answer: static storage
  // What the access-log line quotes; copied only when options.access_log
  // is set, so a server without access log does not pay for the copies.
  std::string method_original_, target_, route_, client_address_, user_agent_;
};

template <typename Emit>
void ServerSpan::ForEachResponseHeader(Emit&& emit) const {
  const SpanContext& sc = span_.context();
  if (options_ == nullptr || !sc.IsValid()) return;
  // "00-<trace id>-<span id>-<flags>": the trace-id field reuses its hex.
  char traceresponse[kTraceparentSize];
  if (options_->traceresponse_header) {
    FormatTraceparent(sc, traceresponse);
    emit(std::string_view("traceresponse"), std::string_view(traceresponse, sizeof(traceresponse)));
  } else {
    sc.trace_id().ToHex(traceresponse + 3);
  }
  if (!options_->trace_id_header.empty()) {
    emit(std::string_view(options_->trace_id_header),
         std::string_view(traceresponse + 3, TraceId::kHexSize));
  }
}

// ---------------------------------------------------------------------------
// Semantic-convention helpers shared by server and client instrumentation.

// The method as http.request.method records it: a known method (RFC 9110
// methods, PATCH, QUERY) as is, anything else as "_OTHER".
std::string_view NormalizeMethod(std::string_view method) noexcept;

// "00-<32 hex>-<16 hex>-<2 hex>" for a valid span context, "" otherwise.
std::string FormatTraceresponse(const SpanContext& span);

}  // namespace callpath::http
