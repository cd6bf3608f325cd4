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
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <chrono>
#include <initializer_list>
#include <list>
#include <thread>
#include <unordered_map>

#include "callpath/propagation.h"
#include "gateway/control.h"
#include "gateway/http_text.h"
#include "gateway/message.h"
#include "gateway/retry_policy.h"

namespace callpath::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
// Every I/O object and coroutine is bound to its worker's io_context
// executor by type: no type-erased executor on the per-request path.
using Exec = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Exec>;
using Acceptor = net::basic_socket_acceptor<tcp, Exec>;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, Exec>;
template <typename T>
using Task = net::awaitable<T, Exec>;

std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }

auto Token(beast::error_code& ec) { return net::redirect_error(net::use_awaitable_t<Exec>{}, ec); }

// A time limit on the I/O of one socket. Instead of a timer per operation
// (arming and cancelling one costs more than the request's own work), each
// worker sweeps its deadlines with a single timer; an expired deadline is
// marked `fired` and its socket's pending operations are cancelled. Code
// that waited on the socket checks `fired` after every operation, so an
// operation that completed just as the deadline passed also counts as late.
struct Deadline {
  Deadline(Deadline** list, Socket* s) noexcept : socket(s), head(list) {
    next = *head;
    if (next != nullptr) next->prev = this;
    *head = this;
  }
  ~Deadline() {
    if (prev != nullptr) prev->next = next; else *head = next;
    if (next != nullptr) next->prev = prev;
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  Socket* socket;
  Clock::time_point when = Clock::time_point::max();  // max: not armed
  bool fired = false;
  Deadline** head;
  Deadline* prev = nullptr;
  Deadline* next = nullptr;
};

// A kept-alive connection to one upstream endpoint.
struct UpstreamConn {
  UpstreamConn(net::io_context& ioc, Deadline** deadlines)
      : socket(ioc.get_executor()), deadline(deadlines, &socket) {}
  Socket socket;
  beast::flat_buffer buffer;
  Deadline deadline;
};

// A client connection, listed so that Stop can close the idle ones.
struct ClientEntry {
  Socket* socket;
  bool idle;
};

// What one request did, for the server span, metrics and the access log.
struct Outcome {
  std::string_view upstream;
  int attempts = 0;
  std::string_view error_type;  // set when the gateway made the response
  AttemptOutcome failure = AttemptOutcome::kResponse;  // the last attempt's, when none answered
};

// Per-connection buffers reused from request to request: in steady state a
// proxied request parses and serialises both of its messages without
// allocating.
struct Exchange {
  Message request;            // the client's request
  std::string upstream_head;  // request line and fields sent upstream
  Message upstream_res;       // the upstream's answer
  std::string head;           // status line and fields sent to the client
  std::string scratch;        // span name, url.full
  std::string error_body;     // body of a response the gateway makes itself
  const std::string* body = nullptr;  // what follows `head`
};

// Beast's HTTP/1.1 grammar (limits, chunked decoding, keep-alive rules)
// filling a Message.
template <bool isRequest>
class MessageParser final : public http::basic_parser<isRequest> {
 public:
  explicit MessageParser(Message& m) : m_(&m) { m.Clear(); }

 private:
  void on_request_impl(http::verb, beast::string_view method, beast::string_view target,
                       int version, beast::error_code&) override {
    m_->SetRequestLine(SV(method), SV(target), version);
  }
  void on_response_impl(int code, beast::string_view reason, int version,
                        beast::error_code&) override {
    m_->SetStatusLine(code, SV(reason), version);
  }
  void on_field_impl(http::field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    m_->AddField(SV(name), SV(value));
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<uint64_t>& length, beast::error_code&) override {
    // The parser has already held the length against body_limit.
    if (length) m_->body().reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    m_->body().append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(uint64_t, beast::string_view body, beast::error_code&) override {
    m_->body().append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  Message* m_;
};

// Appends "name: value\r\n" for every field a propagator injects.
class AppendCarrier final : public TextMapCarrier {
 public:
  explicit AppendCarrier(std::string& out) noexcept : out_(&out) {}
  std::string_view Get(std::string_view) const override { return {}; }
  void Set(std::string_view key, std::string_view value) override {
    AppendField(*out_, key, value);
  }
  static void AppendField(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ", 2).append(value).append("\r\n", 2);
  }

 private:
  std::string* out_;
};

void AppendUnsigned(std::string& out, uint64_t v) {
  char buf[24];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, static_cast<size_t>(buf + sizeof buf - p));
}

bool IsOneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (detail::AsciiIEquals(name, n)) return true;
  }
  return false;
}

// The status line of a response to the client.
void AppendStatusLine(std::string& out, unsigned version, int status, std::string_view reason) {
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  AppendUnsigned(out, static_cast<uint64_t>(status));
  out.push_back(' ');
  if (reason.empty()) reason = SV(http::obsolete_reason(static_cast<http::status>(status)));
  out.append(reason).append("\r\n", 2);
}

// The end of every response header to the client: the trace it is part of,
// framing and connection fields.
void FinishHead(std::string& out, const SpanContext& span, unsigned version, bool keep_alive,
                bool no_body, size_t body_size) {
  char traceresponse[kTraceparentSize];
  FormatTraceparent(span, traceresponse);
  AppendCarrier::AppendField(out, "traceresponse",
                             std::string_view(traceresponse, kTraceparentSize));
  // "00-<trace id>-<span id>-<flags>": the trace id is already in hex there.
  AppendCarrier::AppendField(out, "X-Trace-ID",
                             std::string_view(traceresponse + 3, TraceId::kHexSize));
  if (!no_body) {
    out.append("Content-Length: ");
    AppendUnsigned(out, body_size);
    out.append("\r\n", 2);
  }
  if (version == 10) {
    if (keep_alive) out.append("Connection: keep-alive\r\n");
  } else if (!keep_alive) {
    out.append("Connection: close\r\n");
  }
  out.append("\r\n", 2);
}

// A response for a request the gateway could not even parse.
void MakeParseErrorHead(std::string& head, std::string& body, bool too_big) {
  body = ErrorBody(too_big ? "request too large" : "malformed request", "");
  head.clear();
  AppendStatusLine(head, 11, too_big ? 413 : 400, {});
  head.append("Content-Type: application/json\r\nContent-Length: ");
  AppendUnsigned(head, body.size());
  head.append("\r\nConnection: close\r\n\r\n");
}

// Reading one complete message into a parser, as http::async_read does
// but without its layers of composed operations (one socket read per wait)
// and without a coroutine frame of its own:
//
//   while (!ParseBuffered(parser, buffer, ec)) {
//     size_t n = co_await socket.async_read_some(ReadSpace(buffer), Token(ec));
//     if (AfterRead(parser, buffer, n, ec)) break;
//   }
//
// `buffer` keeps whatever follows the message for the next one. Errors as
// Beast reports them: end_of_stream when the peer closed between messages.

// Parses what `buffer` holds. True when the message is complete or `ec`
// says it cannot be; false when more bytes are needed.
template <bool isRequest>
bool ParseBuffered(http::basic_parser<isRequest>& parser, beast::flat_buffer& buffer,
                   beast::error_code& ec) {
  while (buffer.size() > 0) {
    const size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == http::error::need_more) {
      ec = {};
      return false;
    }
    if (ec || parser.is_done()) return true;
    if (used == 0) return false;
  }
  return false;
}

net::mutable_buffer ReadSpace(beast::flat_buffer& buffer) {
  return buffer.prepare(beast::read_size(buffer, 65536));
}

// Takes in `n` bytes just read. True when reading must stop: an error, or
// the peer closed the connection (which completes a body that ends with it).
template <bool isRequest>
bool AfterRead(http::basic_parser<isRequest>& parser, beast::flat_buffer& buffer, size_t n,
               beast::error_code& ec) {
  if (ec == net::error::eof) {
    if (parser.got_some()) {
      ec = {};
      parser.put_eof(ec);
    } else {
      ec = http::error::end_of_stream;
    }
    return true;
  }
  if (ec) return true;
  buffer.commit(n);
  return false;
}

using Buffers = std::array<net::const_buffer, 2>;

// Sends what it can of `bufs` now, on a socket in non-blocking mode, and
// advances `bufs` past it. True when done (all sent, or `ec` says why not);
// false when the rest must wait for the socket (async_write). A head and
// body that fit the socket's buffer, nearly always the case, are sent
// without an asynchronous operation and its round trip through the loop.
bool TrySend(Socket& socket, Buffers& bufs, beast::error_code& ec) {
  const size_t total = bufs[0].size() + bufs[1].size();
  size_t n = socket.write_some(bufs, ec);
  if (ec == net::error::would_block || ec == net::error::try_again) {
    ec = {};
    n = 0;
  } else if (ec) {
    return true;
  }
  if (n == total) return true;
  for (net::const_buffer& b : bufs) {
    const size_t k = std::min(n, b.size());
    b += k;
    n -= k;
  }
  return false;
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

// Deadlines are swept no more often than this; it is also how late a
// timeout may fire.
constexpr auto kSweepGap = std::chrono::milliseconds(5);

class Worker {
 public:
  Worker(SharedState* shared, std::atomic<int>* active_clients)
      : shared_(shared), active_clients_(active_clients) {
    // Only this worker's thread touches its sockets (BeginStop posts), so
    // the reactor needs no per-descriptor locking.
    ioc_.emplace(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
    sweep_timer_.emplace(ioc_->get_executor());
  }
  ~Worker() {
    Join();
    // Pooled sockets, the acceptor and the sweep timer go first, while the
    // io_context they belong to still exists; its destructor then frees
    // suspended sessions (whose deadlines unlink from deadlines_).
    idle_.clear();
    acceptor_.reset();
    sweep_timer_.reset();
    ioc_.reset();
  }

  // Binds `addr`:`port` with SO_REUSEPORT; returns the bound port.
  Result<uint16_t> Listen(const HostPort& addr, uint16_t port) {
    Result<net::ip::address> ip = ListenAddress(addr);
    if (!ip.ok()) return ip.status();
    tcp::endpoint ep(*ip, port);
    beast::error_code ec;
    acceptor_.emplace(ioc_->get_executor());
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
    net::co_spawn(ioc_->get_executor(), AcceptLoop(), net::detached);
    net::co_spawn(ioc_->get_executor(), SweepDeadlines(), net::detached);
    thread_ = std::thread([this] { ioc_->run(); });
  }

  // Stops accepting and closes connections waiting for their next request;
  // sessions in the middle of a request finish it and then close.
  void BeginStop() {
    net::post(*ioc_, [this] {
      beast::error_code ec;
      if (acceptor_) acceptor_->close(ec);
      for (ClientEntry* c : clients_) {
        if (c->idle) c->socket->cancel(ec);
      }
    });
  }

  void Join() {
    if (!thread_.joinable()) return;
    ioc_->stop();
    thread_.join();
  }

 private:
  void Arm(Deadline& d, Clock::time_point when) {
    d.when = when;
    d.fired = false;
    if (when < sweep_due_) {
      sweep_due_ = when;
      sweep_timer_->cancel();
    }
  }
  static void Disarm(Deadline& d) { d.when = Clock::time_point::max(); }

  Task<void> SweepDeadlines() {
    for (;;) {
      beast::error_code ec;
      sweep_timer_->expires_at(sweep_due_);
      co_await sweep_timer_->async_wait(Token(ec));
      const Clock::time_point now = Clock::now();
      if (sweep_due_ > now) continue;  // woken early: an earlier deadline was armed
      Clock::time_point earliest = Clock::time_point::max();
      for (Deadline* d = deadlines_; d != nullptr; d = d->next) {
        if (d->when <= now) {
          d->fired = true;
          d->when = Clock::time_point::max();
          d->socket->cancel(ec);
        } else if (d->when < earliest) {
          earliest = d->when;
        }
      }
      sweep_due_ = earliest == Clock::time_point::max() ? earliest : std::max(earliest, now + kSweepGap);
    }
  }

  Task<void> AcceptLoop() {
    for (;;) {
      beast::error_code ec;
      Socket socket = co_await acceptor_->async_accept(Token(ec));
      if (ec) {
        if (!acceptor_->is_open() || shared_->stopping()) co_return;
        // Out of descriptors or similar: back off instead of spinning.
        Timer wait(ioc_->get_executor(), std::chrono::milliseconds(50));
        co_await wait.async_wait(Token(ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      socket.non_blocking(true, ec);  // for TrySend
      net::co_spawn(ioc_->get_executor(), Serve(std::move(socket)), net::detached);
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

  Task<void> Serve(Socket socket) {
    Deadline deadline(&deadlines_, &socket);
    ClientEntry entry{&socket, true};
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
    const tcp::endpoint peer = socket.remote_endpoint(ec);
    const std::string peer_ip = ec ? std::string() : peer.address().to_string();
    const uint16_t local_port = socket.local_endpoint(ec).port();
    beast::flat_buffer buffer;
    Exchange ex;
    for (;;) {
      if (shared_->stopping()) break;
      std::shared_ptr<Runtime> rt = CurrentRuntime();
      MessageParser<true> parser(ex.request);
      parser.eager(true);
      parser.header_limit(64 * 1024);
      parser.body_limit(rt->config().max_body_bytes);
      entry.idle = true;
      Arm(deadline, Clock::now() + rt->config().client_idle_timeout);
      ec = {};
      while (!ParseBuffered(parser, buffer, ec)) {
        const size_t n = co_await socket.async_read_some(ReadSpace(buffer), Token(ec));
        if (AfterRead(parser, buffer, n, ec)) break;
      }
      entry.idle = false;
      Disarm(deadline);
      if (!ec) ex.request.keep_alive = parser.keep_alive();
      if (ec || deadline.fired) {
        if (!deadline.fired &&
            ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message) {
          // Malformed or oversized request: say so, then close.
          const bool too_big = ec == http::error::body_limit || ec == http::error::header_limit;
          MakeParseErrorHead(ex.head, ex.error_body, too_big);
          Arm(deadline, Clock::now() + std::chrono::seconds(5));
          co_await net::async_write(
              socket, std::array<net::const_buffer, 2>{net::buffer(ex.head), net::buffer(ex.error_body)}, Token(ec));
        }
        break;
      }
      rt = CurrentRuntime();  // a reload while this connection sat idle applies now
      const bool keep_alive = co_await Handle(*rt, ex, peer_ip, peer.port(), local_port);
      Buffers out{net::buffer(ex.head), net::buffer(*ex.body)};
      if (!TrySend(socket, out, ec)) {
        Arm(deadline, Clock::now() + std::chrono::seconds(30));
        co_await net::async_write(socket, out, Token(ec));
      }
      if (ec || deadline.fired || !keep_alive) break;
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }

  // Serves one request: fills ex.head (and ex.body) with the response for
  // the client. Returns whether the connection stays open.
  Task<bool> Handle(Runtime& rt, Exchange& ex, const std::string& peer_ip, uint16_t peer_port,
                    uint16_t local_port) {
    const Clock::time_point start = Clock::now();
    const Message& req = ex.request;
    const std::string_view method = req.method();
    const std::string_view target = req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    const std::string_view host = req.Get("host");
    const std::string_view sem_method = SemconvMethod(method);

    const Context parent = rt.propagator().Extract(MessageCarrier(req));
    const Route* route = rt.router().Match(host, path);
    ex.scratch.assign(sem_method);
    if (route != nullptr) ex.scratch.append(" ").append(route->path_prefix);
    Span server =
        shared_->tracer().StartSpan(ex.scratch, {.kind = SpanKind::kServer, .parent = &parent});
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
      const std::string_view ua = req.Get("user-agent");
      if (!ua.empty()) server.SetAttribute("user_agent.original", ua);
    }
    // The request's context for its upstream calls: the server span plus the
    // caller's baggage.
    const Context server_ctx(server.context(), parent.baggage());

    Outcome outcome;
    bool proxied = false;
    if (route == nullptr) {
      outcome.error_type = "no_route";
    } else {
      proxied = co_await Forward(rt, *route, ex, server_ctx, peer_ip, outcome);
    }

    const unsigned version = req.version() == 10 ? 10 : 11;
    const bool keep_alive = req.keep_alive && !shared_->stopping();
    const bool head_request = method == "HEAD";
    int status = 0;
    ex.head.clear();
    if (proxied) {
      // Re-frame the upstream's answer for our client: its connection-level
      // fields do not apply, the body is complete in memory, and the trace
      // fields are the gateway's own.
      const Message& res = ex.upstream_res;
      status = res.status();
      const bool no_body = head_request || status < 200 || status == 204 || status == 304;
      AppendStatusLine(ex.head, version, status, res.reason());
      for (size_t i = 0; i < res.field_count(); ++i) {
        const std::string_view name = res.field_name(i);
        if (IsHopByHopField(name) && !(no_body && detail::AsciiIEquals(name, "content-length"))) {
          continue;
        }
        if (IsOneOf(name, {"traceresponse", "x-trace-id"})) continue;
        AppendCarrier::AppendField(ex.head, name, res.field_value(i));
      }
      FinishHead(ex.head, server.context(), version, keep_alive, no_body, res.body().size());
      ex.body = &res.body();
    } else {
      status = route == nullptr ? 404 : GatewayStatusFor(outcome.failure);
      std::string_view message = route == nullptr    ? "no route matches the request"
                                 : status == 504      ? "upstream timed out"
                                                      : "upstream unavailable";
      ex.error_body = ErrorBody(message, server.context().trace_id().ToHex());
      AppendStatusLine(ex.head, version, status, {});
      ex.head.append("Content-Type: application/json\r\n");
      FinishHead(ex.head, server.context(), version, keep_alive, false, ex.error_body.size());
      static const std::string kEmpty;
      ex.body = head_request ? &kEmpty : &ex.error_body;
    }

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
    co_return keep_alive;
  }

  // The upstream request's head up to (not including) the propagation
  // fields and framing, which change per attempt.
  static void BuildUpstreamPrefix(std::string& h, const Message& req, const Route& route,
                                  const Runtime& rt, std::string_view peer_ip) {
    const std::string_view host = req.Get("host");
    h.clear();
    h.append(req.method()).push_back(' ');
    if (route.strip_prefix.empty()) {
      h.append(req.target());
    } else {
      h.append(UpstreamTarget(req.target(), route));
    }
    h.append(" HTTP/1.1\r\n");
    for (size_t i = 0; i < req.field_count(); ++i) {
      const std::string_view name = req.field_name(i);
      if (IsHopByHopField(name)) continue;
      if (IsOneOf(name, {"x-forwarded-for", "x-forwarded-proto"})) continue;
      if (!host.empty() && detail::AsciiIEquals(name, "x-forwarded-host")) continue;
      bool propagation = false;
      for (std::string_view p : rt.propagation_fields()) {
        if (detail::AsciiIEquals(name, p)) propagation = true;
      }
      if (propagation) continue;
      AppendCarrier::AppendField(h, name, req.field_value(i));
    }
    AppendCarrier::AppendField(h, "X-Forwarded-For",
                               AppendForwardedFor(req.Get("x-forwarded-for"), peer_ip));
    h.append("X-Forwarded-Proto: http\r\n");
    if (!host.empty()) AppendCarrier::AppendField(h, "X-Forwarded-Host", host);
  }

  // Sends the request upstream (retrying as the route allows), one CLIENT
  // span per attempt. True with the answer in ex.upstream_res; false when
  // every attempt failed (outcome.failure says how).
  Task<bool> Forward(Runtime& rt, const Route& route, Exchange& ex, const Context& server_ctx,
                     const std::string& peer_ip, Outcome& outcome) {
    UpstreamState& up = rt.upstream(route.upstream);
    outcome.upstream = up.config().name;
    const Message& req = ex.request;
    const std::string_view method = req.method();

    // The head is built once; only the propagation fields change between
    // attempts.
    BuildUpstreamPrefix(ex.upstream_head, req, route, rt, peer_ip);
    const size_t prefix_size = ex.upstream_head.size();
    const std::string_view target_start = std::string_view(ex.upstream_head).substr(method.size() + 1);
    const size_t target_size = target_start.find(' ');
    const std::string& body = req.body();
    // As Beast's prepare_payload frames a request: a length when there is a
    // body or the method expects one.
    const bool send_length =
        !body.empty() || method == "POST" || method == "PUT" || method == "OPTIONS";

    const Tracer& tracer = shared_->tracer();
    const std::string_view sem_method = SemconvMethod(method);
    const bool idempotent = IsIdempotentMethod(method);
    const EndpointState* last = nullptr;
    AttemptResult result;
    for (int attempt = 1;; ++attempt) {
      if (attempt > 1) {
        shared_->metrics().CountRetry(up.config().name);
        const Millis wait = BackoffBefore(route.retries, attempt);
        if (wait.count() > 0) {
          beast::error_code ec;
          Timer timer(ioc_->get_executor(), wait);
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
        ex.scratch.assign("http://").append(ep->key).append(
            std::string_view(ex.upstream_head).substr(method.size() + 1, target_size));
        client.SetAttribute("url.full", std::string_view(ex.scratch));
        if (attempt > 1) client.SetAttribute("http.request.resend_count", attempt - 1);
        client.SetAttribute("callpath.gateway.upstream", std::string_view(up.config().name));
      }
      ex.upstream_head.resize(prefix_size);
      {
        AppendCarrier out(ex.upstream_head);
        rt.propagator().Inject(Context(client.context(), server_ctx.baggage()), out);
      }
      if (send_length) {
        ex.upstream_head.append("Content-Length: ");
        AppendUnsigned(ex.upstream_head, body.size());
        ex.upstream_head.append("\r\n", 2);
      }
      ex.upstream_head.append("\r\n", 2);

      const Clock::time_point t0 = Clock::now();
      result = co_await Attempt(*ep, up, ex.upstream_head, body, method == "HEAD", idempotent,
                                t0 + route.timeout,
                                rt.config().max_body_bytes, ex.upstream_res);
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
      if (!ShouldRetry(route.retries, method, result, attempt) || shared_->stopping()) break;
      last = ep;
    }

    if (result.outcome != AttemptOutcome::kResponse) {
      outcome.failure = result.outcome;
      outcome.error_type = ErrorTypeFor(result.outcome);
      co_return false;
    }
    co_return true;
  }

  Task<AttemptResult> Attempt(EndpointState& ep, UpstreamState& up, const std::string& head,
                              const std::string& body, bool head_request, bool idempotent,
                              Clock::time_point deadline, uint64_t max_body, Message& out) {
    bool fresh_retry_done = false;
    for (;;) {
      // The retry after a stale pooled connection uses a new one: the other
      // pooled connections sat idle as long and are likely closed too.
      std::unique_ptr<UpstreamConn> conn = fresh_retry_done ? nullptr : TakeIdle(ep.key);
      const bool reused = conn != nullptr;
      beast::error_code ec;
      if (!reused) {
        conn = std::make_unique<UpstreamConn>(*ioc_, &deadlines_);
        const net::ip::address addr = net::ip::make_address(ep.ip, ec);
        if (ec) co_return AttemptResult{AttemptOutcome::kConnectFailure, 0};
        Arm(conn->deadline, deadline);
        co_await conn->socket.async_connect(tcp::endpoint(addr, ep.address.port), Token(ec));
        if (conn->deadline.fired) co_return AttemptResult{AttemptOutcome::kTimeout, 0};
        if (ec) co_return AttemptResult{AttemptOutcome::kConnectFailure, 0};
        conn->socket.set_option(tcp::no_delay(true), ec);
        conn->socket.non_blocking(true, ec);  // for TrySend
      }
      Arm(conn->deadline, deadline);
      Buffers request{net::buffer(head), net::buffer(body)};
      if (!TrySend(conn->socket, request, ec)) {
        co_await net::async_write(conn->socket, request, Token(ec));
      }
      if (conn->deadline.fired) co_return AttemptResult{AttemptOutcome::kTimeout, 0};
      if (ec) {
        // A pooled connection the upstream closed while idle: nothing was
        // processed, so one fresh connection is tried within this attempt.
        if (reused && !fresh_retry_done) {
          fresh_retry_done = true;
          continue;
        }
        co_return AttemptResult{AttemptOutcome::kBrokenConnection, 0};
      }
      MessageParser<false> parser(out);
      parser.eager(true);
      parser.header_limit(64 * 1024);
      parser.body_limit(max_body);
      if (head_request) parser.skip(true);
      ec = {};
      while (!ParseBuffered(parser, conn->buffer, ec)) {
        const size_t n = co_await conn->socket.async_read_some(ReadSpace(conn->buffer), Token(ec));
        if (AfterRead(parser, conn->buffer, n, ec)) break;
      }
      if (conn->deadline.fired) co_return AttemptResult{AttemptOutcome::kTimeout, 0};
      Disarm(conn->deadline);
      if (ec) {
        if (reused && !fresh_retry_done && idempotent && !parser.got_some()) {
          fresh_retry_done = true;
          continue;
        }
        co_return AttemptResult{AttemptOutcome::kBrokenConnection, 0};
      }
      out.keep_alive = parser.keep_alive();
      out.need_eof = parser.need_eof();
      if (out.keep_alive && !out.need_eof) {
        ReturnIdle(ep.key, std::move(conn), up.config().max_idle_connections);
      }
      co_return AttemptResult{AttemptOutcome::kResponse, out.status()};
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
    list.push_back(std::move(conn));
  }

  SharedState* shared_;
  std::atomic<int>* active_clients_;
  std::optional<net::io_context> ioc_;
  std::optional<Acceptor> acceptor_;
  // Every socket's deadline, and the one timer that sweeps them.
  Deadline* deadlines_ = nullptr;
  std::optional<Timer> sweep_timer_;
  Clock::time_point sweep_due_ = Clock::time_point::max();
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
