#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "callpath/http/httplib.h"
#include "http/httplib_carrier.h"

namespace callpath::http {
namespace detail {

struct HttplibServerState {
  ServerOptions options;
  // options.provider's tracer, resolved once; without a provider the global
  // one is asked per request (GetTracer caches per thread), so a provider
  // installed or replaced after the server starts is still picked up.
  std::optional<Tracer> tracer;
  httplib::Server::HandlerWithResponse user_pre;
  httplib::Server::Handler user_post;
  httplib::Logger user_logger;
};

}  // namespace detail

namespace {

using detail::HttplibServerState;

// The request a worker thread is serving. httplib runs pre-routing, the
// handler, post-routing and the logger of one request on one thread, in
// that order, so a thread-local slot carries the span between them.
struct ActiveRequest {
  ActiveRequest(const httplib::Request* r, const IncomingRequest& in, const ServerOptions& o,
                const Tracer& t)
      : request(r), span(in, o, t) {}
  const httplib::Request* request;
  ServerSpan span;
  std::optional<Scope> scope;  // destroyed before the span
};

thread_local std::optional<ActiveRequest> tl_active;

ActiveRequest* ActiveFor(const httplib::Request& req) {
  return tl_active && tl_active->request == &req ? &*tl_active : nullptr;
}

std::string_view ProtocolVersion(std::string_view version) {
  // "HTTP/1.1" -> "1.1"
  if (version.substr(0, 5) == "HTTP/") version.remove_prefix(5);
  return version;
}

httplib::Server::HandlerResponse PreRouting(HttplibServerState& state,
                                            const httplib::Request& req,
                                            httplib::Response& res) {
  // A request whose logger never ran (a dropped connection) leaves its span
  // here: end it now rather than carry it into this request.
  tl_active.reset();
  detail::HttplibHeadersCarrier carrier(req.headers);
  IncomingRequest in{.method = req.method,
                     .target = req.target,
                     .route = {},  // set by Route() once the router has matched
                     .protocol_version = ProtocolVersion(req.version),
                     .peer_address = req.remote_addr,
                     .peer_port = req.remote_port,
                     .local_port = req.local_port,
                     .headers = &carrier};
  tl_active.emplace(&req, in, state.options,
                    state.tracer ? *state.tracer : GetTracer("callpath.http"));
  tl_active->scope.emplace(tl_active->span.context());
  if (state.user_pre) return state.user_pre(req, res);
  return httplib::Server::HandlerResponse::Unhandled;
}

void PostRouting(HttplibServerState& state, const httplib::Request& req,
                 httplib::Response& res) {
  if (ActiveRequest* active = ActiveFor(req)) {
    // Straight into the multimap, built in place: set_header would take
    // std::string copies of both and scan them for CR/LF. Values are hex
    // digits and dashes; a configured name with CR/LF is dropped as
    // set_header would drop it.
    active->span.ForEachResponseHeader([&](std::string_view name, std::string_view value) {
      if (name.find_first_of("\r\n") != std::string_view::npos) return;
      res.headers.emplace(std::piecewise_construct, std::forward_as_tuple(name),
                          std::forward_as_tuple(value));
    });
  }
  if (state.user_post) state.user_post(req, res);
}

void Log(HttplibServerState& state, const httplib::Request& req, const httplib::Response& res) {
  if (state.user_logger) state.user_logger(req, res);
  if (ActiveFor(req) != nullptr) {
    tl_active->scope.reset();
    tl_active->span.End(res.status);
    tl_active.reset();
  }
}

void Install(httplib::Server& server, const std::shared_ptr<HttplibServerState>& state) {
  if (state->options.provider) state->tracer = state->options.provider->GetTracer("callpath.http");
  // The base-class setters: TracedServer hides them to chain user hooks.
  server.httplib::Server::set_pre_routing_handler(
      [state](const httplib::Request& req, httplib::Response& res) {
        return PreRouting(*state, req, res);
      });
  server.httplib::Server::set_post_routing_handler(
      [state](const httplib::Request& req, httplib::Response& res) {
        PostRouting(*state, req, res);
      });
  server.httplib::Server::set_logger(
      [state](const httplib::Request& req, const httplib::Response& res) {
        Log(*state, req, res);
      });
}

}  // namespace

void Instrument(httplib::Server& server, ServerOptions options) {
  auto state = std::make_shared<HttplibServerState>();
  state->options = std::move(options);
  Install(server, state);
}

httplib::Server::Handler Route(std::string route, httplib::Server::Handler handler) {
  return [route = std::move(route), handler = std::move(handler)](const httplib::Request& req,
                                                                   httplib::Response& res) {
    ActiveRequest* active = ActiveFor(req);
    if (active != nullptr) active->span.SetRoute(route);
    try {
      handler(req, res);
    } catch (const std::exception& e) {
      if ((active = ActiveFor(req)) != nullptr) active->span.RecordException(e);
      throw;
    } catch (...) {
      if ((active = ActiveFor(req)) != nullptr) {
        active->span.RecordException("_OTHER", "unknown exception");
      }
      throw;
    }
  };
}

TracedServer::TracedServer(ServerOptions options)
    : state_(std::make_shared<detail::HttplibServerState>()) {
  state_->options = std::move(options);
  Install(*this, state_);
}

TracedServer& TracedServer::Get(const std::string& pattern, Handler handler) {
  httplib::Server::Get(pattern, Route(pattern, std::move(handler)));
  return *this;
}
TracedServer& TracedServer::Post(const std::string& pattern, Handler handler) {
  httplib::Server::Post(pattern, Route(pattern, std::move(handler)));
  return *this;
}
TracedServer& TracedServer::Put(const std::string& pattern, Handler handler) {
  httplib::Server::Put(pattern, Route(pattern, std::move(handler)));
  return *this;
}
TracedServer& TracedServer::Patch(const std::string& pattern, Handler handler) {
  httplib::Server::Patch(pattern, Route(pattern, std::move(handler)));
  return *this;
}
TracedServer& TracedServer::Delete(const std::string& pattern, Handler handler) {
  httplib::Server::Delete(pattern, Route(pattern, std::move(handler)));
  return *this;
}
TracedServer& TracedServer::Options(const std::string& pattern, Handler handler) {
  httplib::Server::Options(pattern, Route(pattern, std::move(handler)));
  return *this;
}

TracedServer& TracedServer::set_pre_routing_handler(HandlerWithResponse handler) {
  state_->user_pre = std::move(handler);
  return *this;
}
TracedServer& TracedServer::set_post_routing_handler(Handler handler) {
  state_->user_post = std::move(handler);
  return *this;
}
TracedServer& TracedServer::set_logger(httplib::Logger logger) {
  state_->user_logger = std::move(logger);
  return *this;
}

}  // namespace callpath::http
