#include "callpath/http/server_span.h"

#include <charconv>
#include <cstring>
#include <string>
#include <utility>

#include "http/access_log.h"
#include "http/text.h"
#include "sdk/url_redaction.h"

namespace callpath::http {
namespace {

Tracer ServerTracer(const ServerOptions& options) {
  if (options.provider) return options.provider->GetTracer("callpath.http");
  return GetTracer("callpath.http");
}

}  // namespace

ServerSpan::ServerSpan(const IncomingRequest& request, const ServerOptions& options)
    : ServerSpan(request, options, ServerTracer(options)) {}

ServerSpan::ServerSpan(const IncomingRequest& request, const ServerOptions& options,
                       const Tracer& tracer)
    : options_(&options), start_ns_(NowUnixNano()) {
  static const HeaderMapCarrier::Headers kNoHeaders;
  static const HeaderMapCarrier kEmpty(kNoHeaders);
  const TextMapCarrier& headers = request.headers ? *request.headers : kEmpty;
  const TextMapPropagator& propagator =
      options.propagator ? *options.propagator : GlobalPropagator();
  Context parent = propagator.Extract(headers, Context());

  // Everything below runs once per request: values are views into the
  // request (valid for this constructor) and are copied only where the
  // access-log line needs them after the constructor returns.
  std::string_view method = NormalizeMethod(request.method);
  method_ = method;
  span_ = tracer.StartSpan(method == "_OTHER" ? std::string_view("HTTP") : method,
                           {.kind = SpanKind::kServer, .parent = &parent,
                            .start_time_unix_nano = start_ns_});
  context_ = parent.WithSpanContext(span_.context());
  if (!request.route.empty()) SetRoute(request.route);

  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view user_agent = headers.Get("user-agent");
  std::string_view client_address = request.peer_address;
  std::string forwarded, xff;  // joined lists; empty (no allocation) when absent
  if (options.trust_forwarded_headers) {
    forwarded = headers.GetJoined("forwarded");
    xff = headers.GetJoined("x-forwarded-for");
    std::string_view fwd = detail::ForwardedClient(forwarded, xff);
    if (!fwd.empty()) client_address = fwd;
  }
  if (options.access_log) {
    method_original_.assign(request.method);
    target_.assign(target);
    client_address_.assign(client_address);
    user_agent_.assign(user_agent);
  }
  if (!span_.IsRecording()) return;

  span_.SetAttribute("http.request.method", method);
  if (method == "_OTHER") span_.SetAttribute("http.request.method_original", request.method);
  span_.SetAttribute("url.path", target.substr(0, q));
  if (q != std::string_view::npos) {
    const std::string query = internal::RedactQuery(target.substr(q + 1));
    span_.SetAttribute("url.query", std::string_view(query));
  }
  span_.SetAttribute("url.scheme", std::string_view(options.url_scheme));

  std::string_view host_header = options.trust_forwarded_headers
                                     ? headers.Get("x-forwarded-host")
                                     : std::string_view();
  if (host_header.empty()) host_header = headers.Get("host");
  std::string_view host;
  int port = -1;
  detail::SplitHostPort(host_header.substr(0, host_header.find(',')), &host, &port);
  if (!host.empty()) {
    span_.SetAttribute("server.address", host);
    if (port < 0) port = request.local_port;
    if (port < 0) port = options.url_scheme == "https" ? 443 : 80;
    span_.SetAttribute("server.port", port);
  }
  if (!client_address.empty()) span_.SetAttribute("client.address", client_address);
  if (!request.peer_address.empty()) {
    span_.SetAttribute("network.peer.address", request.peer_address);
    if (request.peer_port >= 0) span_.SetAttribute("network.peer.port", request.peer_port);
  }
  if (!user_agent.empty()) span_.SetAttribute("user_agent.original", user_agent);
  if (!request.protocol_version.empty()) {
    span_.SetAttribute("network.protocol.version", request.protocol_version);
  }
}

ServerSpan::ServerSpan(ServerSpan&& other) noexcept { *this = std::move(other); }

ServerSpan& ServerSpan::operator=(ServerSpan&& other) noexcept {
  if (this == &other) return *this;
  if (options_ != nullptr) End(0);
  options_ = std::exchange(other.options_, nullptr);
  span_ = std::move(other.span_);
  context_ = std::move(other.context_);
  start_ns_ = other.start_ns_;
  error_type_set_ = other.error_type_set_;
  method_ = other.method_;
  method_original_ = std::move(other.method_original_);
  target_ = std::move(other.target_);
  route_ = std::move(other.route_);
  client_address_ = std::move(other.client_address_);
  user_agent_ = std::move(other.user_agent_);
  return *this;
}

ServerSpan::~ServerSpan() {
  if (options_ != nullptr) End(0);
}

void ServerSpan::SetRoute(std::string_view route) noexcept {
  if (options_ == nullptr || route.empty()) return;
  try {
    if (options_->access_log) route_.assign(route);
    // "{method} {route}", built on the stack for any sensible route.
    std::string_view method = method_ == "_OTHER" ? std::string_view("HTTP") : method_;
    char buf[256];
    if (method.size() + 1 + route.size() <= sizeof(buf)) {
      std::memcpy(buf, method.data(), method.size());
      buf[method.size()] = ' ';
      std::memcpy(buf + method.size() + 1, route.data(), route.size());
      span_.UpdateName(std::string_view(buf, method.size() + 1 + route.size()));
    } else {
      std::string name(method);
      name.append(" ").append(route);
      span_.UpdateName(name);
    }
    span_.SetAttribute("http.route", route);
  } catch (...) {
  }
}

void ServerSpan::RecordException(const std::exception& e) noexcept {
  if (options_ == nullptr) return;
  try {
    RecordException(detail::ExceptionTypeName(e), e.what());
  } catch (...) {
  }
}

void ServerSpan::RecordException(std::string_view type, std::string_view message) noexcept {
  if (options_ == nullptr) return;
  span_.RecordException(type, message);
  span_.SetAttribute("error.type", type);
  error_type_set_ = true;
}

std::vector<std::pair<std::string, std::string>> ServerSpan::ResponseHeaders() const {
  std::vector<std::pair<std::string, std::string>> out;
  ForEachResponseHeader([&](std::string_view name, std::string_view value) {
    out.emplace_back(std::string(name), std::string(value));
  });
  return out;
}

void ServerSpan::End(int status_code) noexcept {
  if (options_ == nullptr) return;
  const ServerOptions& options = *options_;
  options_ = nullptr;
  uint64_t end_ns = NowUnixNano();
  if (status_code > 0) span_.SetAttribute("http.response.status_code", status_code);
  bool bad_code = status_code != 0 && (status_code < 100 || status_code > 599);
  if (status_code >= 500 || bad_code) {
    span_.SetStatus(SpanStatusCode::kError);
    if (!error_type_set_) {
      char code[16];
      std::string_view type = "_OTHER";
      if (!bad_code) {
        auto [end, ec] = std::to_chars(code, code + sizeof(code), status_code);
        type = std::string_view(code, static_cast<size_t>(end - code));
      }
      span_.SetAttribute("error.type", type);
    }
  } else if (error_type_set_ || status_code == 0) {
    // An exception (or no response at all) is a failure even if a 2xx-4xx
    // answer was sent.
    if (status_code == 0 && !error_type_set_) span_.SetAttribute("error.type", "_OTHER");
    span_.SetStatus(SpanStatusCode::kError);
  }
  if (options.access_log) {
    AccessLogEntry entry{.method = method_original_,
                         .target = target_,
                         .route = route_,
                         .status_code = status_code,
                         .duration_ns = end_ns > start_ns_ ? end_ns - start_ns_ : 0,
                         .client_address = client_address_,
                         .user_agent = user_agent_,
                         .span = &span_.context()};
    Scope scope(context_);
    if (options.access_log_hook) {
      try {
        options.access_log_hook(entry);
      } catch (...) {
      }
    } else {
      detail::WriteAccessLog(entry);
    }
  }
  span_.End(end_ns);
}

}  // namespace callpath::http
