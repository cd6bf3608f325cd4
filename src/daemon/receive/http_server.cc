#include "daemon/receive/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <atomic>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "daemon/receive/tls_context.h"
#include "daemon/receive/transfer_coding.h"

namespace callpath::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct IoRuntime::Impl {
  explicit Impl(int n) : threads_wanted(n < 1 ? 1 : n), ioc(threads_wanted) {}
  int threads_wanted;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
};

IoRuntime::IoRuntime(int threads) : impl_(std::make_unique<Impl>(threads)) {}
IoRuntime::~IoRuntime() { Stop(); }

void IoRuntime::Start() {
  impl_->work.emplace(impl_->ioc.get_executor());
  for (int i = 0; i < impl_->threads_wanted; ++i)
    impl_->threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "cp-http");
      // Request threads are many and cheap per span; the one indexer
      // thread is the narrowest stage of ingest. With equal scheduler
      // shares, on a busy machine the request threads outran it, the
      // backlog filled and clients were told to retry after a second.
      // A lower priority here (raising niceness needs no privilege) lets
      // the indexer drain the backlog first. Linux applies it per thread.
      errno = 0;
      int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
      if (errno == 0) (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::min(nice + 4, 19));
      impl_->ioc.run();
    });
}

void IoRuntime::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

namespace {

using Parser = http::request_parser<http::string_body>;

// What every connection of one server shares; kept alive by the connections
// themselves, so a server may be destroyed while requests are in flight.
struct ServerShared {
  HttpServerOptions opts;  // opts.tls: null for a plain listener
  HttpHandler handler;
  ErrorResponder errors;
};

// One connection, plain (beast::tcp_stream) or TLS (TlsStream).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

 public:
  // `slot` is released (its deleter runs) when the connection is gone.
  Session(tcp::socket socket, std::shared_ptr<const ServerShared> shared, std::shared_ptr<void> slot)
    requires(!kTls)
      : stream_(std::move(socket)), shared_(std::move(shared)), opts_(shared_->opts),
        handler_(shared_->handler), errors_(shared_->errors), lease_(opts_.body_budget),
        slot_(std::move(slot)) {
    remote_address_ = RemoteAddress(Tcp().socket());
  }
  // `tls`: the context this connection's handshake uses (kept alive here).
  Session(tcp::socket socket, std::shared_ptr<ssl::context> tls, std::shared_ptr<const ServerShared> shared,
          std::shared_ptr<void> slot)
    requires(kTls)
      : stream_(std::move(socket), *tls), tls_(std::move(tls)), shared_(std::move(shared)), opts_(shared_->opts),
        handler_(shared_->handler), errors_(shared_->errors), lease_(opts_.body_budget),
        slot_(std::move(slot)) {
    remote_address_ = RemoteAddress(Tcp().socket());
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::Begin, shared_from_this()));
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // TLS: the handshake must complete within the header timeout (a client
  // that connects and says nothing holds no more than a plain one).
  void Begin() {
    if constexpr (kTls) {
      Tcp().expires_after(std::chrono::seconds(opts_.header_timeout_seconds));
      stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
        if (ec) return self->Close();
        self->ReadHeader();
      });
    } else {
      ReadHeader();
    }
  }

  void ReadHeader() {
    parser_.emplace();
    over_budget_ = false;
    parser_->header_limit(64 * 1024);
    parser_->body_limit(opts_.max_body_bytes);
    Tcp().expires_after(std::chrono::seconds(first_ ? opts_.header_timeout_seconds
                                                      : opts_.idle_timeout_seconds));
    first_ = false;
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      // Beast checks Content-Length against the limit while parsing the header.
      auto ct = parser_->get()[http::field::content_type];
      content_type_.assign(ct.data(), ct.size());
      return SendError(413, "request body exceeds the limit of " + std::to_string(opts_.max_body_bytes) +
                                " bytes");
    }
    if (ec == http::error::end_of_stream) return Close();
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        return SendError(400, std::string("malformed HTTP request: ") + ec.message());
      }
      return Fail(ec);
    }
    auto& req = parser_->get();
    auto ct = req[http::field::content_type];
    content_type_.assign(ct.data(), ct.size());
    if (TransferCodingVerdict tc = CheckTransferEncoding(JoinedTransferEncoding(req)); tc.status != 0) {
      return SendError(tc.status, std::move(tc.message));
    }
    if (opts_.gate && !Admit(req)) return;
    if (auto len = parser_->content_length(); len && *len > opts_.max_body_bytes) {
      return SendError(413, "request body of " + std::to_string(*len) +
                                " bytes exceeds the limit of " +
                                std::to_string(opts_.max_body_bytes) + " bytes");
    }
    // The body's bytes are taken from the budget before they are read: all
    // at once when the length is announced, chunk by chunk otherwise.
    if (auto len = parser_->content_length(); len && !lease_.GrowTo(*len)) return RefuseOverBudget();
    if (parser_->chunked()) {
      chunk_body_ = [this](uint64_t, beast::string_view data, beast::error_code& ec) -> size_t {
        std::string& body = parser_->get().body();
        const uint64_t need = body.size() + data.size();
        // Taken in steps so that small chunks do not each touch the atomic.
        const uint64_t step = std::min<uint64_t>(lease_.bytes() + kBudgetStep, opts_.max_body_bytes);
        if (!lease_.GrowTo(std::max(need, step)) && !lease_.GrowTo(need)) {
          over_budget_ = true;
          ec = http::error::body_limit;
          return 0;
        }
        body.append(data.data(), data.size());
        return data.size();
      };
      parser_->on_chunk_body(chunk_body_);
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code ec2, size_t) {
                          if (ec2) return self->Fail(ec2);
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  // Runs the gate on the request's head; on refusal answers and closes
  // (the body, possibly large, is never read).
  bool Admit(const http::request<http::string_body>& req) {
    HttpRequest head;
    head.method = std::string(req.method_string());
    head.target = std::string(req.target());
    head.content_type = content_type_;
    head.remote_address = remote_address_;
    for (std::string_view name : {"Authorization", "Host", "Origin", "X-Scope-OrgID"}) {
      auto it = req.find(beast::string_view(name.data(), name.size()));
      if (it != req.end()) head.headers.emplace_back(std::string(name), std::string(it->value()));
    }
    HttpResponse deny;
    if (opts_.gate(head, &deny)) {
      tenant_ = std::move(head.tenant);
      return true;
    }
    keep_alive_ = false;
    version_ = req.version();
    Write(std::move(deny), /*close_after=*/true);
    return false;
  }

  static std::string RemoteAddress(const tcp::socket& socket) {
    beast::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    return ec ? std::string() : ep.address().to_string();
  }

  void ReadBody() {
    // One timer for the whole body, not the stream's own (which re-arms on
    // every read of a body that arrives in many pieces: a timerfd update
    // each time). A body not complete in time closes the connection.
    Tcp().expires_never();
    reading_body_ = true;
    body_timer_.expires_after(std::chrono::seconds(opts_.read_timeout_seconds));
    body_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      // Cancelled, or expired just as the body arrived (both run on the
      // connection's strand, so the flag is exact).
      if (ec || !self->reading_body_) return;
      beast::error_code ignored;
      self->Tcp().socket().close(ignored);
    });
    // Beast reads at most the buffer's spare capacity per call (up to
    // 64 KiB), and the parser drains the buffer into the body after each
    // read, so a buffer sized for the header alone receives a large body
    // in ~1 KiB recvmsg calls (hundreds per OTLP request, each with its
    // epoll round trip). Room for 64 KiB makes those reads 64 KiB.
    if (buffer_.capacity() < kBodyReadBytes) buffer_.reserve(kBodyReadBytes);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    reading_body_ = false;
    body_timer_.cancel();
    if (ec == http::error::body_limit && over_budget_) return RefuseOverBudget();
    if (ec == http::error::body_limit) {
      return SendError(413, "request body exceeds the limit of " +
                                std::to_string(opts_.max_body_bytes) + " bytes");
    }
    if (ec == http::error::end_of_stream) return Close();
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        return SendError(400, std::string("malformed HTTP request: ") + ec.message());
      }
      return Fail(ec);
    }
    Tcp().expires_never();
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    HttpRequest req;
    req.received_at = std::chrono::steady_clock::now();
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.content_type = content_type_;
    req.remote_address = remote_address_;
    req.tenant = tenant_;
    auto ce = msg[http::field::content_encoding];
    req.content_encoding.assign(ce.data(), ce.size());
    auto ae = msg[http::field::accept_encoding];
    req.accept_encoding.assign(ae.data(), ae.size());
    for (std::string_view name : {"Origin", "Mcp-Session-Id", "MCP-Protocol-Version"}) {
      auto it = msg.find(beast::string_view(name.data(), name.size()));
      if (it != msg.end()) req.headers.emplace_back(std::string(name), std::string(it->value()));
    }
    req.body = std::move(msg.body());
    auto self = shared_from_this();
    handler_(std::move(req), [self](HttpResponse resp) {
      // Any thread may answer: hop onto this connection's strand.
      asio::dispatch(self->stream_.get_executor(),
                     [self, resp = std::move(resp)]() mutable { self->Write(std::move(resp)); });
    });
  }

  void Write(HttpResponse resp, bool close_after = false) {
    // The request's body has been handed over and consumed.
    lease_.Reset();
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_ ? version_ : 11);
    res->result(static_cast<unsigned>(resp.status));
    res->set(http::field::server, "callpathd");
    if (!resp.content_type.empty()) res->set(http::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers) res->set(k, v);
    res->body() = std::move(resp.body);
    res->keep_alive(keep_alive_ && !close_after);
    res->prepare_payload();
    bool close = !res->keep_alive();
    Tcp().expires_after(std::chrono::seconds(opts_.read_timeout_seconds));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close](beast::error_code ec, size_t) {
                        if (ec) return self->Fail(ec);
                        if (close) return self->LingeringClose();
                        self->ReadHeader();
                      });
  }

  // An error found before the request was read completely: answer, then
  // close (the rest of the body is not worth reading).
  void SendError(int status, std::string message, bool retry_later = false) {
    keep_alive_ = false;
    if (version_ == 0) version_ = parser_ ? parser_->get().version() : 11;
    HttpResponse resp = errors_(status, content_type_, std::move(message));
    if (retry_later) resp.headers.emplace_back("Retry-After", "1");
    Write(std::move(resp), /*close_after=*/true);
  }

  void RefuseOverBudget() {
    if (opts_.counters) opts_.counters->over_body_budget.fetch_add(1, std::memory_order_relaxed);
    SendError(429,
              "callpathd holds its limit of request bytes in memory (" +
                  std::to_string(opts_.body_budget ? opts_.body_budget->capacity() : 0) +
                  " bytes, --max-inflight-bytes); retry later",
              /*retry_later=*/true);
  }

  static std::string JoinedTransferEncoding(const http::request<http::string_body>& req) {
    std::string joined;
    for (const auto& f : req) {
      if (f.name() != http::field::transfer_encoding) continue;
      if (!joined.empty()) joined += ',';
      joined.append(f.value().data(), f.value().size());
    }
    return joined;
  }

  // Closing a socket with unread input makes the kernel send RST, which can
  // destroy our response before the client read it. Stop sending, then
  // discard what the client still sends for a bounded time.
  void LingeringClose() {
    beast::error_code ec;
    Tcp().expires_after(std::chrono::seconds(5));
    if constexpr (kTls) {
      // close_notify first, so the client knows the answer is complete.
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->Close(); });
      return;
    }
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Fail(beast::error_code) { Close(); }

  void Close() {
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();
  }

  static constexpr size_t kBodyReadBytes = 64 * 1024;
  static constexpr uint64_t kBudgetStep = 1 << 20;

  std::string remote_address_;
  std::string tenant_;  // set by the gate for the request being read
  Stream stream_;
  std::shared_ptr<ssl::context> tls_;  // TLS connections: the context of their handshake
  asio::steady_timer body_timer_{stream_.get_executor()};
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::shared_ptr<const ServerShared> shared_;
  const HttpServerOptions& opts_;
  const HttpHandler& handler_;
  const ErrorResponder& errors_;
  std::string content_type_;
  bool keep_alive_ = true;
  bool first_ = true;
  bool reading_body_ = false;
  bool over_budget_ = false;
  unsigned version_ = 0;
  BudgetLease lease_;
  // Beast keeps a reference to the chunk callback: it lives here.
  std::function<size_t(uint64_t, beast::string_view, beast::error_code&)> chunk_body_;
  std::shared_ptr<void> slot_;
  std::array<char, 64 * 1024> drain_buf_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(IoRuntime& rt, HttpServerOptions o, HttpHandler h, ErrorResponder e)
      : ioc(rt.impl()->ioc),
        shared(std::make_shared<ServerShared>(ServerShared{o, std::move(h), std::move(e)})),
        acceptor(asio::make_strand(ioc)) {}

  // Runs on the acceptor's strand (or before the runtime starts).
  void Accept() {
    const HttpServerOptions& o = shared->opts;
    if (o.max_connections > 0 && open.load() >= o.max_connections) {
      // Resumed by the next connection to close (ConnectionClosed).
      paused = true;
      if (o.counters) o.counters->connection_limit_reached.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    acceptor.async_accept(asio::make_strand(ioc),
                          [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                            if (ec == asio::error::operation_aborted || !self->acceptor.is_open())
                              return;
                            if (ec) return self->AcceptLater();
                            beast::error_code ignored;
                            s.set_option(tcp::no_delay(true), ignored);
                            self->open.fetch_add(1);
                            if (self->shared->opts.counters)
                              self->shared->opts.counters->accepted.fetch_add(1, std::memory_order_relaxed);
                            self->StartSession(std::move(s));
                            self->Accept();
                          });
  }

  void StartSession(tcp::socket s) {
    if (TlsContextHolder* tls = shared->opts.tls) {
      std::shared_ptr<ssl::context> ctx = tls->Current();
      if (ctx == nullptr) return ConnectionClosedNow(std::move(s));
      std::make_shared<Session<TlsStream>>(std::move(s), std::move(ctx), shared, Slot())->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(std::move(s), shared, Slot())->Start();
    }
  }

  // A TLS listener whose context could not be loaded: close the connection.
  void ConnectionClosedNow(tcp::socket s) {
    beast::error_code ignored;
    s.close(ignored);
    open.fetch_sub(1);
  }

  // Out of descriptors (EMFILE) and the like: accepting again at once
  // fails again at once, a busy loop that starves the connections being
  // served. Waiting lets some of them close.
  void AcceptLater() {
    accept_timer.expires_after(std::chrono::milliseconds(100));
    accept_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->acceptor.is_open()) self->Accept();
    });
  }

  // Held by a Session; its release frees the connection's place.
  std::shared_ptr<void> Slot() {
    std::weak_ptr<Impl> weak = weak_from_this();
    return std::shared_ptr<void>(nullptr, [weak](void*) {
      if (auto self = weak.lock()) self->ConnectionClosed();
    });
  }

  void ConnectionClosed() {
    open.fetch_sub(1);
    asio::dispatch(acceptor.get_executor(), [self = shared_from_this()] {
      if (self->paused && self->acceptor.is_open()) {
        self->paused = false;
        self->Accept();
      }
    });
  }

  asio::io_context& ioc;
  std::shared_ptr<const ServerShared> shared;
  tcp::acceptor acceptor;
  asio::steady_timer accept_timer{acceptor.get_executor()};
  std::atomic<size_t> open{0};
  bool paused = false;  // on the acceptor's strand
  uint16_t port = 0;
};

HttpServer::HttpServer(IoRuntime& runtime, HttpServerOptions options, HttpHandler handler,
                       ErrorResponder errors)
    : impl_(std::make_shared<Impl>(runtime, options, std::move(handler), std::move(errors))) {}

HttpServer::~HttpServer() { Close(); }

Status HttpServer::Listen(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) {
    // Accept names such as "localhost" too.
    asio::ip::tcp::resolver resolver(impl_->ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) return InvalidArgument("cannot resolve listen host '" + host + "'");
    addr = results.begin()->endpoint().address();
  }
  tcp::endpoint ep(addr, port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                       ec.message());
  }
  impl_->port = a.local_endpoint().port();
  impl_->Accept();
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->port; }

size_t HttpServer::open_connections() const { return impl_->open.load(); }

void HttpServer::Close() {
  // The acceptor lives on a strand; close it there.
  auto impl = impl_;
  asio::dispatch(impl->acceptor.get_executor(), [impl] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->accept_timer.cancel();
  });
}

}  // namespace callpath::daemon
