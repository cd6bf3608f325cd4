// The control thread: admin HTTP server and active health checks. Beast
// code of the control path lives here only.
#include "gateway/control.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include "auth/authenticator.h"
#include "gateway/gateway.h"
#include "gateway/http_text.h"

namespace callpath::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

auto Token(beast::error_code& ec) { return net::redirect_error(net::use_awaitable, ec); }

}  // namespace

struct ControlPlane::Impl {
  explicit Impl(SharedState* s) : shared(s) { ioc.emplace(1); }

  SharedState* shared;
  std::optional<net::io_context> ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::thread thread;
  std::atomic<bool> stopping{false};
  uint16_t port = 0;

  std::string MetricsText() const {
    std::string out;
    out.reserve(8192);
    shared->metrics().Render(out);
    out += "# HELP callpath_gateway_upstream_healthy 1 when the endpoint passes its health "
           "checks (always 1 without checks).\n"
           "# TYPE callpath_gateway_upstream_healthy gauge\n";
    std::shared_ptr<Runtime> rt = shared->runtime();
    for (const auto& [name, up] : rt->upstreams()) {
      for (const auto& e : up->endpoints()) {
        out += "callpath_gateway_upstream_healthy{upstream=\"" + Metrics::EscapeLabel(name) +
               "\",endpoint=\"" + Metrics::EscapeLabel(e->key) + "\"} " +
               (e->healthy.load() ? "1" : "0") + "\n";
      }
    }
    return out;
  }

  net::awaitable<void> AcceptLoop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor->async_accept(Token(ec));
      if (ec) {
        if (!acceptor->is_open() || stopping) co_return;
        continue;
      }
      net::co_spawn(*ioc, ServeAdmin(std::move(socket)), net::detached);
    }
  }

  // With admin keys configured, every path but /healthz (a probe, no data)
  // needs a key with the admin scope. True when `res` holds the refusal.
  bool Refused(const http::request<http::string_body>& req, std::string_view path,
               const std::string& peer, http::response<http::string_body>& res) const {
    if (path == "/healthz") return false;
    auth::Authenticator& keys = shared->runtime()->admin_auth();
    if (!keys.enabled()) return false;
    const beast::string_view authorization = req[http::field::authorization];
    const auth::AccessVerdict v =
        keys.Check(std::string_view(authorization.data(), authorization.size()), peer,
                   auth::kScopeAdmin);
    using Code = auth::AccessVerdict::Code;
    if (v.code == Code::kAllow) return false;
    res.result(v.code == Code::kForbidden   ? http::status::forbidden
               : v.code == Code::kThrottled ? http::status::too_many_requests
                                            : http::status::unauthorized);
    if (v.code == Code::kUnauthenticated) {
      res.set(http::field::www_authenticate, "Bearer realm=\"callpath-gateway admin\"");
    }
    if (v.code == Code::kThrottled) {
      res.set(http::field::retry_after, std::to_string(v.retry_after_seconds));
    }
    res.set(http::field::content_type, "application/json");
    res.body() = ErrorBody(v.message, "");
    return true;
  }

  // With tls.admin, the admin port speaks TLS with the client listener's
  // context (same files, same client CA), taken when the connection is
  // accepted.
  net::awaitable<void> ServeAdmin(tcp::socket socket) {
    beast::error_code ec;
    const tcp::endpoint remote = socket.remote_endpoint(ec);
    const std::string peer = ec ? std::string() : remote.address().to_string();
    beast::tcp_stream stream(std::move(socket));
    std::shared_ptr<Runtime> rt = shared->runtime();
    const std::shared_ptr<net::ssl::context> tls =
        rt->config().tls.admin ? rt->server_tls() : nullptr;
    rt.reset();
    if (!tls) {
      co_await ServeAdminRequests(stream, peer);
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), *tls);
    beast::get_lowest_layer(tls_stream).expires_after(std::chrono::seconds(30));
    co_await tls_stream.async_handshake(net::ssl::stream_base::server, Token(ec));
    if (!ec) co_await ServeAdminRequests(tls_stream, peer);
    beast::get_lowest_layer(tls_stream).socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  template <typename Stream>
  net::awaitable<void> ServeAdminRequests(Stream& stream, const std::string& peer) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
      co_await http::async_read(stream, buffer, req, Token(ec));
      if (ec) break;
      http::response<http::string_body> res(http::status::ok, req.version());
      const beast::string_view target = req.target();
      const beast::string_view path = target.substr(0, target.find('?'));
      if (Refused(req, std::string_view(path.data(), path.size()), peer, res)) {
        // answered
      } else if (path == "/metrics") {
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = MetricsText();
      } else if (path == "/healthz") {
        res.set(http::field::content_type, "application/json");
        if (shared->stopping()) {
          res.result(http::status::service_unavailable);
          res.body() = "{\"status\":\"stopping\"}";
        } else {
          res.body() = "{\"status\":\"ok\"}";
        }
      } else {
        res.result(http::status::not_found);
        res.set(http::field::content_type, "application/json");
        res.body() = ErrorBody("unknown admin path (try /metrics or /healthz)", "");
      }
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      co_await http::async_write(stream, res, Token(ec));
      if (ec || !res.keep_alive()) break;
    }
  }

  // One health probe: a fresh connection, GET path, a 2xx in time.
  net::awaitable<bool> Probe(const EndpointState& ep, const HealthCheckConfig& hc) {
    beast::error_code ec;
    const net::ip::address addr = net::ip::make_address(ep.ip, ec);
    if (ec) co_return false;
    beast::tcp_stream stream(*ioc);
    stream.expires_after(hc.timeout);
    co_await stream.async_connect(tcp::endpoint(addr, ep.address.port), Token(ec));
    if (ec) co_return false;
    http::request<http::empty_body> req(http::verb::get, hc.path, 11);
    req.set(http::field::host, ep.key);
    req.set(http::field::user_agent, "callpath-gateway-health");
    req.keep_alive(false);
    co_await http::async_write(stream, req, Token(ec));
    if (ec) co_return false;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    co_await http::async_read(stream, buffer, parser, Token(ec));
    if (ec) co_return false;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    const unsigned status = parser.get().result_int();
    co_return status >= 200 && status < 300;
  }

  net::awaitable<void> HealthLoop(std::shared_ptr<Runtime> rt, std::string upstream,
                                  EndpointState* ep) {
    const HealthCheckConfig hc = rt->upstream(upstream).config().health_check;
    int ok = 0, failed = 0;
    net::steady_timer timer(*ioc);
    while (!rt->retired() && !stopping) {
      const bool success = co_await Probe(*ep, hc);
      if (rt->retired() || stopping) break;
      if (success) {
        ++ok;
        failed = 0;
        if (!ep->healthy.load() && ok >= hc.healthy_after) {
          ep->healthy.store(true);
          shared->events().info("endpoint healthy", {"upstream", upstream},
                                {"endpoint", ep->key});
        }
      } else {
        ++failed;
        ok = 0;
        if (ep->healthy.load() && failed >= hc.unhealthy_after) {
          ep->healthy.store(false);
          shared->events().warn("endpoint unhealthy", {"upstream", upstream},
                                {"endpoint", ep->key}, {"path", hc.path});
        }
      }
      beast::error_code ec;
      timer.expires_after(hc.interval);
      co_await timer.async_wait(Token(ec));
    }
  }
};

ControlPlane::ControlPlane(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlPlane::~ControlPlane() {
  Stop();
  impl_->acceptor.reset();
  impl_->ioc.reset();  // frees suspended coroutines while their sockets' service exists
}

Result<std::unique_ptr<ControlPlane>> ControlPlane::Start(const HostPort& admin,
                                                          SharedState* shared) {
  auto impl = std::make_unique<Impl>(shared);
  impl->work.emplace(net::make_work_guard(*impl->ioc));
  if (!admin.host.empty()) {
    beast::error_code ec;
    net::ip::address ip =
        net::ip::make_address(admin.host == "localhost" ? "127.0.0.1" : admin.host, ec);
    if (ec) return InvalidArgument("admin_listen address '" + admin.host + "' must be an IP address");
    tcp::endpoint ep(ip, admin.port);
    impl->acceptor.emplace(*impl->ioc);
    impl->acceptor->open(ep.protocol(), ec);
    if (!ec) impl->acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor->bind(ep, ec);
    if (!ec) impl->acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Unavailable("cannot listen on " + admin.ToString() + " (admin): " + ec.message());
    impl->port = impl->acceptor->local_endpoint().port();
    net::co_spawn(*impl->ioc, impl->AcceptLoop(), net::detached);
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->ioc->run(); });
  return std::unique_ptr<ControlPlane>(new ControlPlane(std::move(impl)));
}

uint16_t ControlPlane::port() const noexcept { return impl_->port; }

void ControlPlane::Watch(std::shared_ptr<Runtime> runtime) {
  Impl* impl = impl_.get();
  net::post(*impl->ioc, [impl, runtime = std::move(runtime)] {
    for (const auto& [name, up] : runtime->upstreams()) {
      if (!up->config().health_check.enabled) continue;
      for (const auto& e : up->endpoints()) {
        net::co_spawn(*impl->ioc, impl->HealthLoop(runtime, name, e.get()), net::detached);
      }
    }
  });
}

void ControlPlane::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  impl_->work.reset();
  impl_->ioc->stop();
  impl_->thread.join();
}

}  // namespace callpath::gateway
