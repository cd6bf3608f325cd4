// The proxy's data path: listening sockets, client sessions, upstream
// connection pools and attempts, spans, access log. Every Beast/Asio type
// of the data path lives in this translation unit (compile time).
#include "gateway/gateway.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <list>
#include <thread>
#include <unordered_map>

#include "callpath/propagation.h"
#include "gateway/beast_carrier.h"
#include "gateway/control.h"
#include "gateway/http_text.h"
#include "gateway/retry_policy.h"

namespace callpath::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Clock = std::chrono::steady_clock;

std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view BV(std::string_view s) { return {s.data(), s.size()}; }

auto Token(beast::error_code& ec) { return net::redirect_error(net::use_awaitable, ec); }

// A kept-alive connection to one upstream endpoint.
struct UpstreamConn {
  explicit UpstreamConn(net::io_context& ioc) : stream(ioc) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
};

// A client connection, listed so that Stop can close the idle ones.
struct ClientEntry {
  beast::tcp_stream* stream;
  bool idle;
};

// What one request did, for the server span, metrics and the access log.
struct Outcome {
  std::string_view upstream;
  int attempts = 0;
  std::string_view error_type;  // set when the gateway made the response
};

void MakeErrorResponse(Response& res, int status, std::string_view message,
                       const SpanContext& span) {
  res = Response(static_cast<http::status>(status), 11);
  res.set(http::field::content_type, "application/json");
  res.body() = ErrorBody(message, span.trace_id().ToHex());
  res.prepare_payload();
}

std::string_view OutcomeName(AttemptOutcome o) {
  return o == AttemptOutcome::kResponse ? std::string_view("response") : ErrorTypeFor(o);
}

Status ListenerError(const HostPort& addr, const beast::error_code& ec) {
  return Unavailable("cannot listen on " + addr.ToString() + ": " + ec.message());
}

Result<net::ip::address> ListenAddress(const HostPort& hp) {
  if (hp.host == "localhost") return net::ip::make_address("127.0.0.1");
  beast::error_code ec;
  net::ip::address a = net::ip::make_address(hp.host, ec);
  if (ec) return InvalidArgument("listen address '" + hp.host + "' must be an IP address");
  return a;
}

class Worker {
 public:
  Worker(SharedState* shared, std::atomic<int>* active_clients)
      : shared_(shared), active_clients_(active_clients) {
    ioc_.emplace(1);
  }
  ~Worker() {
    Join();
    // Pooled sockets and the acceptor go first, while the io_context they
    // belong to still exists; its destructor then frees suspended sessions.
    idle_.clear();
    acceptor_.reset();
    ioc_.reset();
  }

  // Binds `addr`:`port` with SO_REUSEPORT; returns the bound port.
  Result<uint16_t> Listen(const HostPort& addr, uint16_t port) {
    Result<net::ip::address> ip = ListenAddress(addr);
    if (!ip.ok()) return ip.status();
    tcp::endpoint ep(*ip, port);
    beast::error_code ec;
    acceptor_.emplace(*ioc_);
    acceptor_->open(ep.protocol(), ec);
    if (ec) return ListenerError(addr, ec);
    acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    acceptor_->set_option(net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
    acceptor_->bind(ep, ec);
    if (ec) return ListenerError(addr, ec);
    acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) return ListenerError(addr, ec);
    return acceptor_->local_endpoint().port();
  }

  void Run() {
    net::co_spawn(*ioc_, AcceptLoop(), net::detached);
    thread_ = std::thread([this] { ioc_->run(); });
  }

  // Stops accepting and closes connections waiting for their next request;
  // sessions in the middle of a request finish it and then close.
  void BeginStop() {
    net::post(*ioc_, [this] {
      beast::error_code ec;
      if (acceptor_) acceptor_->close(ec);
      for (ClientEntry* c : clients_) {
        if (c->idle) c->stream->cancel();
      }
    });
  }

  void Join() {
    if (!thread_.joinable()) return;
    ioc_->stop();
    thread_.join();
  }

 private:
  net::awaitable<void> AcceptLoop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor_->async_accept(Token(ec));
      if (ec) {
        if (!acceptor_->is_open() || shared_->stopping()) co_return;
        // Out of descriptors or similar: back off instead of spinning.
        net::steady_timer wait(*ioc_, std::chrono::milliseconds(50));
        co_await wait.async_wait(Token(ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      net::co_spawn(*ioc_, Serve(std::move(socket)), net::detached);
    }
  }

  // The runtime for the next request; re-read only after a reload.
  const std::shared_ptr<Runtime>& CurrentRuntime() {
    const uint64_t gen = shared_->generation();
    if (!runtime_ || gen != runtime_generation_) {
      runtime_ = shared_->runtime();
      runtime_generation_ = gen;
    }
    return runtime_;
  }

  net::awaitable<void> Serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    ClientEntry entry{&stream, true};
    auto it = clients_.insert(clients_.end(), &entry);
    active_clients_->fetch_add(1, std::memory_order_relaxed);
    struct Leave {
      Worker* w;
      std::list<ClientEntry*>::iterator it;
      ~Leave() {
        w->clients_.erase(it);
        w->active_clients_->fetch_sub(1, std::memory_order_release);
      }
    } leave{this, it};

    beast::error_code ec;
    const tcp::endpoint peer = stream.socket().remote_endpoint(ec);
    const std::string peer_ip = ec ? std::string() : peer.address().to_string();
    const uint16_t local_port = stream.socket().local_endpoint(ec).port();
    beast::flat_buffer buffer;
    for (;;) {
      if (shared_->stopping()) break;
      std::shared_ptr<Runtime> rt = CurrentRuntime();
      http::request_parser<http::string_body> parser;
      parser.header_limit(64 * 1024);
      parser.body_limit(rt->config().max_body_bytes);
      entry.idle = true;
      stream.expires_after(rt->config().client_idle_timeout);
      co_await http::async_read(stream, buffer, parser, Token(ec));
      entry.idle = false;
      if (ec) {
        if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message) {
          // Malformed or oversized request: say so, then close.
          const bool too_big = ec == http::error::body_limit || ec == http::error::header_limit;
          Response res(too_big ? http::status::payload_too_large : http::status::bad_request, 11);
          res.set(http::field::content_type, "application/json");
          res.body() = ErrorBody(too_big ? "request too large" : "malformed request", "");
          res.prepare_payload();
          res.keep_alive(false);
          stream.expires_after(std::chrono::seconds(5));
          co_await http::async_write(stream, res, Token(ec));
        }
        break;
      }
      Request req = parser.release();
      Response res;
      rt = CurrentRuntime();  // a reload while this connection sat idle applies now
      co_await Handle(*rt, req, res, peer_ip, peer.port(), local_port);
      const bool keep_alive = req.keep_alive() && !shared_->stopping();
      res.version(req.version() == 10 ? 10 : 11);
      res.keep_alive(keep_alive);
      stream.expires_after(std::chrono::seconds(30));
      co_await http::async_write(stream, res, Token(ec));
      if (ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  net::awaitable<void> Handle(Runtime& rt, Request& req, Response& res, const std::string& peer_ip,
                              uint16_t peer_port, uint16_t local_port) {
    const Clock::time_point start = Clock::now();
    const std::string_view method = SV(req.method_string());
    const std::string_view target = SV(req.target());
    const std::string_view path = target.substr(0, target.find('?'));
    const std::string_view host = SV(req[http::field::host]);
    const std::string_view sem_method = SemconvMethod(method);

    Context parent;
    {
      FieldsCarrier<http::fields> in(static_cast<const http::fields&>(req.base()));
      parent = rt.propagator().Extract(in);
    }
    const Route* route = rt.router().Match(host, path);
    std::string name(sem_method);
    if (route != nullptr) name += " " + route->path_prefix;
    Span server = shared_->tracer().StartSpan(name, {.kind = SpanKind::kServer, .parent = &parent});
    if (server.IsRecording()) {
      server.SetAttribute("http.request.method", sem_method);
      if (sem_method == "_OTHER") server.SetAttribute("http.request.method_original", method);
      server.SetAttribute("url.path", path);
      if (path.size() < target.size()) server.SetAttribute("url.query", target.substr(path.size() + 1));
      server.SetAttribute("url.scheme", "http");
      if (route != nullptr) server.SetAttribute("http.route", std::string_view(route->path_prefix));
      const std::string bare_host = HostWithoutPort(host);
      if (!bare_host.empty()) {
        server.SetAttribute("server.address", std::string_view(bare_host));
        server.SetAttribute("server.port", PortFromHost(host, local_port));
      }
      server.SetAttribute("client.address", std::string_view(peer_ip));
      server.SetAttribute("network.peer.address", std::string_view(peer_ip));
      server.SetAttribute("network.peer.port", static_cast<int>(peer_port));
      server.SetAttribute("network.protocol.version", req.version() == 10 ? "1.0" : "1.1");
      const std::string_view ua = SV(req[http::field::user_agent]);
      if (!ua.empty()) server.SetAttribute("user_agent.original", ua);
    }
    // The request's context for its upstream calls: the server span plus the
    // caller's baggage.
    const Context server_ctx(server.context(), parent.baggage());

    Outcome outcome;
    if (route == nullptr) {
      MakeErrorResponse(res, 404, "no route matches the request", server.context());
      outcome.error_type = "no_route";
    } else {
      co_await Forward(rt, *route, req, res, server_ctx, peer_ip, outcome);
    }

    // Give the caller the trace it is part of.
    const int status = res.result_int();
    char traceresponse[kTraceparentSize];
    FormatTraceparent(server.context(), traceresponse);
    res.set("traceresponse", BV(std::string_view(traceresponse, kTraceparentSize)));
    char trace_id[TraceId::kHexSize];
    server.context().trace_id().ToHex(trace_id);
    res.set("X-Trace-ID", BV(std::string_view(trace_id, sizeof trace_id)));

    if (server.IsRecording()) {
      server.SetAttribute("http.response.status_code", status);
      if (status >= 500) {
        if (!outcome.error_type.empty() && outcome.error_type != "no_route") {
          server.SetAttribute("error.type", outcome.error_type);
        } else {
          server.SetAttribute("error.type", std::string_view(std::to_string(status)));
        }
        server.SetStatus(SpanStatusCode::kError, outcome.error_type);
      }
    }
    server.End();

    const std::string_view route_label = route ? std::string_view(route->path_prefix) : "";
    shared_->metrics().CountRequest(route_label, status);
    if (rt.config().access_log.enabled && shared_->access_log().enabled(log::Level::kInfo)) {
      const double ms =
          std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      Scope scope{Context(server.context())};  // the line carries this request's ids
      shared_->access_log().info("request", {"method", method}, {"path", target},
                                 {"route", route_label}, {"status", status},
                                 {"duration_ms", ms}, {"upstream", outcome.upstream},
                                 {"attempts", outcome.attempts}, {"client", peer_ip});
    }
  }

  net::awaitable<void> Forward(Runtime& rt, const Route& route, Request& req, Response& res,
                               const Context& server_ctx, const std::string& peer_ip,
                               Outcome& outcome) {
    UpstreamState& up = rt.upstream(route.upstream);
    outcome.upstream = up.config().name;
    const std::string_view method = SV(req.method_string());

    // The upstream request is built once; only the propagation fields change
    // between attempts.
    Request ureq;
    ureq.version(11);
    ureq.target(BV(UpstreamTarget(SV(req.target()), route)));
    if (req.method() == http::verb::unknown) {
      ureq.method_string(req.method_string());  // an extension method, passed through
    } else {
      ureq.method(req.method());
    }
    for (const auto& f : req.base()) {
      if (IsHopByHopField(SV(f.name_string()))) continue;
      ureq.insert(f.name_string(), f.value());
    }
    const std::string_view host = SV(req[http::field::host]);
    ureq.set("X-Forwarded-For", BV(AppendForwardedFor(SV(req["X-Forwarded-For"]), peer_ip)));
    ureq.set("X-Forwarded-Proto", "http");
    if (!host.empty()) ureq.set("X-Forwarded-Host", BV(host));
    for (std::string_view f : rt.propagator().Fields()) ureq.erase(BV(f));
    ureq.body() = std::move(req.body());
    ureq.prepare_payload();

    const Tracer& tracer = shared_->tracer();
    const std::string_view sem_method = SemconvMethod(method);
    const EndpointState* last = nullptr;
    AttemptResult result;
    for (int attempt = 1;; ++attempt) {
      if (attempt > 1) {
        shared_->metrics().CountRetry(up.config().name);
        const Millis wait = BackoffBefore(route.retries, attempt);
        if (wait.count() > 0) {
          beast::error_code ec;
          net::steady_timer timer(*ioc_, wait);
          co_await timer.async_wait(Token(ec));
        }
      }
      EndpointState* ep = up.Pick(last);
      Span client =
          tracer.StartSpan(sem_method, {.kind = SpanKind::kClient, .parent = &server_ctx});
      if (client.IsRecording()) {
        client.SetAttribute("http.request.method", sem_method);
        if (sem_method == "_OTHER") client.SetAttribute("http.request.method_original", method);
        client.SetAttribute("server.address", std::string_view(ep->address.host));
        client.SetAttribute("server.port", static_cast<int>(ep->address.port));
        client.SetAttribute("network.peer.address", std::string_view(ep->ip));
        client.SetAttribute("url.full", std::string_view("http://" + ep->key + std::string(SV(ureq.target()))));
        if (attempt > 1) client.SetAttribute("http.request.resend_count", attempt - 1);
        client.SetAttribute("callpath.gateway.upstream", std::string_view(up.config().name));
      }
      {
        FieldsCarrier<http::fields> out(static_cast<http::fields&>(ureq.base()));
        rt.propagator().Inject(Context(client.context(), server_ctx.baggage()), out);
      }

      Response ures;
      const Clock::time_point t0 = Clock::now();
      result = co_await Attempt(*ep, up, ureq, route.timeout, rt.config().max_body_bytes, ures);
      shared_->metrics().ObserveAttempt(up.config().name, OutcomeName(result.outcome),
                                        std::chrono::duration<double>(Clock::now() - t0).count());
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
      client.End();
      outcome.attempts = attempt;
      if (!ShouldRetry(route.retries, method, result, attempt) || shared_->stopping()) {
        if (result.outcome == AttemptOutcome::kResponse) res = std::move(ures);
        break;
      }
      last = ep;
    }

    if (result.outcome != AttemptOutcome::kResponse) {
      const int status = GatewayStatusFor(result.outcome);
      outcome.error_type = ErrorTypeFor(result.outcome);
      MakeErrorResponse(res, status,
                        status == 504 ? "upstream timed out" : "upstream unavailable",
                        server_ctx.span_context());
      co_return;
    }
    // Re-frame the upstream's answer for our client: its connection-level
    // fields do not apply, the body is complete in memory.
    const bool no_body = req.method() == http::verb::head || res.result_int() < 200 ||
                         res.result_int() == 204 || res.result_int() == 304;
    for (auto it = res.base().begin(); it != res.base().end();) {
      const std::string_view name = SV(it->name_string());
      if (IsHopByHopField(name) && !(no_body && detail::AsciiIEquals(name, "content-length"))) {
        it = res.base().erase(it);
      } else {
        ++it;
      }
    }
    if (!no_body) res.content_length(res.body().size());
  }

  net::awaitable<AttemptResult> Attempt(EndpointState& ep, UpstreamState& up, Request& ureq,
                                        Millis timeout, uint64_t max_body, Response& out) {
    const Clock::time_point deadline = Clock::now() + timeout;
    const bool idempotent = IsIdempotentMethod(SV(ureq.method_string()));
    bool fresh_retry_done = false;
    for (;;) {
      std::unique_ptr<UpstreamConn> conn = TakeIdle(ep.key);
      const bool reused = conn != nullptr;
      beast::error_code ec;
      if (!reused) {
        conn = std::make_unique<UpstreamConn>(*ioc_);
        const net::ip::address addr = net::ip::make_address(ep.ip, ec);
        if (ec) co_return AttemptResult{AttemptOutcome::kConnectFailure, 0};
        conn->stream.expires_at(deadline);
        co_await conn->stream.async_connect(tcp::endpoint(addr, ep.address.port), Token(ec));
        if (ec) co_return AttemptResult{AttemptOutcome::kConnectFailure, 0};
        conn->stream.socket().set_option(tcp::no_delay(true), ec);
      }
      conn->stream.expires_at(deadline);
      co_await http::async_write(conn->stream, ureq, Token(ec));
      if (ec) {
        if (ec == beast::error::timeout) co_return AttemptResult{AttemptOutcome::kTimeout, 0};
        // A pooled connection the upstream closed while idle: nothing was
        // processed, so one fresh connection is tried within this attempt.
        if (reused && !fresh_retry_done) {
          fresh_retry_done = true;
          continue;
        }
        co_return AttemptResult{AttemptOutcome::kBrokenConnection, 0};
      }
      http::response_parser<http::string_body> parser;
      parser.header_limit(64 * 1024);
      parser.body_limit(max_body);
      if (ureq.method() == http::verb::head) parser.skip(true);
      co_await http::async_read(conn->stream, conn->buffer, parser, Token(ec));
      if (ec) {
        if (ec == beast::error::timeout) co_return AttemptResult{AttemptOutcome::kTimeout, 0};
        if (reused && !fresh_retry_done && idempotent && !parser.got_some()) {
          fresh_retry_done = true;
          continue;
        }
        co_return AttemptResult{AttemptOutcome::kBrokenConnection, 0};
      }
      out = parser.release();
      if (out.keep_alive() && !out.need_eof()) {
        ReturnIdle(ep.key, std::move(conn), up.config().max_idle_connections);
      }
      co_return AttemptResult{AttemptOutcome::kResponse, static_cast<int>(out.result_int())};
    }
  }

  std::unique_ptr<UpstreamConn> TakeIdle(const std::string& key) {
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    std::unique_ptr<UpstreamConn> c = std::move(it->second.back());
    it->second.pop_back();
    return c;
  }

  void ReturnIdle(const std::string& key, std::unique_ptr<UpstreamConn> conn, int max_idle) {
    if (shared_->stopping()) return;
    auto& list = idle_[key];
    if (static_cast<int>(list.size()) >= max_idle) return;
    conn->stream.expires_never();
    list.push_back(std::move(conn));
  }

  SharedState* shared_;
  std::atomic<int>* active_clients_;
  std::optional<net::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConn>>> idle_;
  std::list<ClientEntry*> clients_;
  std::shared_ptr<Runtime> runtime_;
  uint64_t runtime_generation_ = 0;
  std::thread thread_;
};

}  // namespace

void SharedState::Swap(std::shared_ptr<Runtime> next) {
  std::shared_ptr<Runtime> old;
  {
    std::lock_guard lock(mu_);
    old = std::move(runtime_);
    runtime_ = std::move(next);
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
  if (old) old->Retire();
}

struct Gateway::Impl {
  Impl(std::shared_ptr<Runtime> runtime, Tracer tracer)
      : shared(std::move(runtime), tracer) {}

  SharedState shared;
  std::atomic<int> active_clients{0};
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<ControlPlane> control;
  uint16_t port = 0;
  std::mutex stop_mu;
  bool stopped = false;
};

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() { Stop(Millis(2000)); }

Result<std::unique_ptr<Gateway>> Gateway::Start(std::shared_ptr<Runtime> runtime, Tracer tracer) {
  const Config& cfg = runtime->config();
  auto impl = std::make_unique<Impl>(runtime, tracer);
  int threads = cfg.threads > 0 ? cfg.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  uint16_t port = cfg.listen.port;
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>(&impl->shared, &impl->active_clients);
    Result<uint16_t> bound = w->Listen(cfg.listen, port);
    if (!bound.ok()) return bound.status();
    port = *bound;  // port 0: the first worker's choice is everyone's
    impl->workers.push_back(std::move(w));
  }
  impl->port = port;
  Result<std::unique_ptr<ControlPlane>> control =
      ControlPlane::Start(cfg.admin_listen, &impl->shared);
  if (!control.ok()) return control.status();
  impl->control = std::move(*control);
  impl->control->Watch(runtime);
  for (auto& w : impl->workers) w->Run();
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

uint16_t Gateway::port() const noexcept { return impl_->port; }
uint16_t Gateway::admin_port() const noexcept { return impl_->control->port(); }
SharedState& Gateway::shared() noexcept { return impl_->shared; }

void Gateway::Reload(std::shared_ptr<Runtime> next) {
  const Config& old = impl_->shared.runtime()->config();
  const Config& cfg = next->config();
  auto keep = [&](bool changed, std::string_view what) {
    if (changed) {
      impl_->shared.events().warn("setting needs a restart; keeping the running value",
                                  {"setting", what});
    }
  };
  keep(!(old.listen == cfg.listen), "listen");
  keep(!(old.admin_listen == cfg.admin_listen), "admin_listen");
  keep(old.threads != cfg.threads, "threads");
  keep(old.access_log.path != cfg.access_log.path, "access_log.path");
  keep(old.tracing.exporter != cfg.tracing.exporter, "tracing.exporter");
  keep(old.service_name != cfg.service_name, "service_name");
  impl_->shared.Swap(next);
  impl_->control->Watch(std::move(next));
}

void Gateway::Stop(Millis grace) {
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->shared.set_stopping();
  for (auto& w : impl_->workers) w->BeginStop();
  const Clock::time_point deadline = Clock::now() + grace;
  while (impl_->active_clients.load(std::memory_order_acquire) > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& w : impl_->workers) w->Join();
  impl_->control->Stop();
  impl_->workers.clear();
}

}  // namespace callpath::gateway
