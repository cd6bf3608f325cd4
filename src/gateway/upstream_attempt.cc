#include "gateway/upstream_attempt.h"

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <memory>
#include <optional>

#include "gateway/message_io.h"

namespace callpath::gateway {
namespace {

// Connects `conn` to `ep`. The failure, or nothing when connected.
Task<std::optional<AttemptOutcome>> Connect(WorkerIo& io, UpstreamConn& conn,
                                            const EndpointState& ep,
                                            Clock::time_point deadline) {
  beast::error_code ec;
  const net::ip::address addr = net::ip::make_address(ep.ip, ec);
  if (ec) co_return AttemptOutcome::kConnectFailure;
  io.deadlines.Arm(conn.deadline, deadline);
  co_await conn.socket.async_connect(tcp::endpoint(addr, ep.address.port), Token(ec));
  if (conn.deadline.fired) co_return AttemptOutcome::kTimeout;
  if (ec) co_return AttemptOutcome::kConnectFailure;
  conn.socket.set_option(tcp::no_delay(true), ec);
  conn.socket.non_blocking(true, ec);  // for TrySend
  co_return std::nullopt;
}

AttemptResult Failed(AttemptOutcome outcome) { return AttemptResult{outcome, 0}; }

// The worker's client context for `tls`: peer verification on, against
// tls.ca_file or the system's trust store; TLS 1.2 at least. Null when the
// CA file cannot be loaded.
net::ssl::context* TlsContext(WorkerIo& io, const UpstreamTlsConfig& tls) {
  auto it = io.tls_contexts.find(tls.ca_file);
  if (it != io.tls_contexts.end()) return it->second.get();
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
  beast::error_code ec;
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                       net::ssl::context::no_tlsv1_1 | net::ssl::context::no_compression,
                   ec);
  ctx->set_verify_mode(net::ssl::verify_peer, ec);
  if (tls.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(tls.ca_file, ec);
  }
  if (ec) return nullptr;
  return io.tls_contexts.emplace(tls.ca_file, std::move(ctx)).first->second.get();
}

// The TLS handshake on a connected `conn`: SNI and the verified name are
// tls.server_name, else the endpoint's configured host. A failure is a
// connect failure (nothing of the request was sent).
Task<std::optional<AttemptOutcome>> Handshake(WorkerIo& io, UpstreamConn& conn,
                                              const EndpointState& ep,
                                              const UpstreamTlsConfig& tls) {
  net::ssl::context* ctx = TlsContext(io, tls);
  if (ctx == nullptr) co_return AttemptOutcome::kConnectFailure;
  const std::string& name = tls.server_name.empty() ? ep.address.host : tls.server_name;
  conn.tls = std::make_unique<net::ssl::stream<Socket&>>(conn.socket, *ctx);
  SSL_set_tlsext_host_name(conn.tls->native_handle(), name.c_str());
  conn.tls->set_verify_callback(net::ssl::host_name_verification(name));
  beast::error_code ec;
  co_await conn.tls->async_handshake(net::ssl::stream_base::client, Token(ec));
  if (conn.deadline.fired) co_return AttemptOutcome::kTimeout;
  if (ec) co_return AttemptOutcome::kConnectFailure;
  co_return std::nullopt;
}

}  // namespace

Task<AttemptResult> RunAttempt(WorkerIo& io, EndpointState& ep, const UpstreamState& up,
                               AttemptRequest req, Message& out) {
  bool fresh_retry_done = false;
  for (;;) {
    // The retry after a stale pooled connection uses a new one: the other
    // pooled connections sat idle as long and are likely closed too.
    std::unique_ptr<UpstreamConn> conn = fresh_retry_done ? nullptr : io.pool.Take(ep.key);
    const bool reused = conn != nullptr;
    if (!reused) {
      conn = std::make_unique<UpstreamConn>(*io.ioc, io.deadlines);
      std::optional<AttemptOutcome> failure = co_await Connect(io, *conn, ep, req.deadline);
      if (!failure && up.config().tls.enabled) {
        failure = co_await Handshake(io, *conn, ep, up.config().tls);
      }
      if (failure) co_return Failed(*failure);
    }
    beast::error_code ec;
    io.deadlines.Arm(conn->deadline, req.deadline);
    Buffers request{net::buffer(*req.head), net::buffer(*req.body)};
    if (conn->tls) {
      co_await net::async_write(*conn->tls, request, Token(ec));
    } else if (!TrySend(conn->socket, request, ec)) {
      co_await net::async_write(conn->socket, request, Token(ec));
    }
    if (conn->deadline.fired) co_return Failed(AttemptOutcome::kTimeout);
    if (ec) {
      if (reused && !fresh_retry_done) {
        fresh_retry_done = true;
        continue;
      }
      co_return Failed(AttemptOutcome::kBrokenConnection);
    }
    MessageParser<false> parser(out);
    parser.SetLimits(req.max_body);
    if (req.head_request) parser.skip(true);
    while (!ParseBuffered(parser, conn->buffer, ec)) {
      const size_t n =
          conn->tls ? co_await conn->tls->async_read_some(ReadSpace(conn->buffer), Token(ec))
                    : co_await conn->socket.async_read_some(ReadSpace(conn->buffer), Token(ec));
      if (AfterRead(parser, conn->buffer, n, ec)) break;
    }
    if (conn->deadline.fired) co_return Failed(AttemptOutcome::kTimeout);
    DeadlineSweeper::Disarm(conn->deadline);
    if (ec) {
      // Nothing of an answer came: only an idempotent request may be resent.
      if (reused && !fresh_retry_done && req.idempotent && !parser.got_some()) {
        fresh_retry_done = true;
        continue;
      }
      co_return Failed(AttemptOutcome::kBrokenConnection);
    }
    out.keep_alive = parser.keep_alive();
    out.need_eof = parser.need_eof();
    if (out.keep_alive && !out.need_eof && !io.shared.stopping()) {
      io.pool.Return(ep.key, std::move(conn), up.config().max_idle_connections);
    }
    co_return AttemptResult{AttemptOutcome::kResponse, out.status()};
  }
}

}  // namespace callpath::gateway
