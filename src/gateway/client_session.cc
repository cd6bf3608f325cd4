// The downstream connection loop: one coroutine per client connection
// (after the TLS handshake on a TLS listener) reads requests, has each
// proxied, and writes the responses. The loop is a template over the
// stream, so plain connections keep their direct socket calls.
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <type_traits>

#include "gateway/client_response.h"
#include "gateway/message_io.h"
#include "gateway/proxy_request.h"
#include "gateway/worker.h"

namespace callpath::gateway {
namespace {

// A request the parser rejected (malformed or over a limit), as opposed to
// the connection closing or failing: such a request is answered.
bool IsBadRequest(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

bool IsTooLarge(const beast::error_code& ec) {
  return ec == http::error::body_limit || ec == http::error::header_limit;
}

ClientAddress AddressOf(const Socket& socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  ClientAddress a;
  if (!ec) a.ip = peer.address().to_string();
  a.port = peer.port();
  a.local_port = socket.local_endpoint(ec).port();
  return a;
}

}  // namespace

Task<void> Worker::Serve(Socket socket) {
  Deadline deadline(io_.deadlines.list(), &socket);
  ClientEntry entry{&socket, true};
  active_clients_->fetch_add(1, std::memory_order_relaxed);
  struct Leave {
    Worker* w;
    std::list<ClientEntry*>::iterator it;
    ~Leave() {
      w->clients_.erase(it);
      w->active_clients_->fetch_sub(1, std::memory_order_release);
    }
  } leave{this, clients_.insert(clients_.end(), &entry)};

  ClientAddress client = AddressOf(socket);
  // The context this connection was accepted under stays with it when a
  // reload brings another.
  const std::shared_ptr<net::ssl::context> tls = CurrentRuntime()->server_tls();
  beast::error_code ec;
  if (!tls) {
    co_await ServeRequests(socket, socket, deadline, entry, client);
  } else {
    client.tls = true;
    net::ssl::stream<Socket&> stream(socket, *tls);
    // A client that never finishes its handshake holds the connection as
    // one that never sends its request would: the same limit applies.
    io_.deadlines.Arm(deadline, Clock::now() + CurrentRuntime()->config().client_idle_timeout);
    co_await stream.async_handshake(net::ssl::stream_base::server, Token(ec));
    DeadlineSweeper::Disarm(deadline);
    if (!ec && !deadline.fired) co_await ServeRequests(stream, socket, deadline, entry, client);
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

template <typename Stream>
Task<void> Worker::ServeRequests(Stream& stream, Socket& socket, Deadline& deadline,
                                 ClientEntry& entry, const ClientAddress& client) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  Exchange ex;
  for (;;) {
    if (io_.shared.stopping()) break;
    std::shared_ptr<Runtime> rt = CurrentRuntime();
    MessageParser<true> parser(ex.request);
    parser.SetLimits(rt->config().max_body_bytes);
    // Held until the response is written (the body is retried from memory).
    BudgetLease lease(&io_.shared.body_budget());
    parser.SetBudget(&lease);
    entry.idle = true;
    io_.deadlines.Arm(deadline, Clock::now() + rt->config().client_idle_timeout);
    ec = {};
    while (!ParseBuffered(parser, buffer, ec)) {
      const size_t n = co_await stream.async_read_some(ReadSpace(buffer), Token(ec));
      if (AfterRead(parser, buffer, n, ec)) break;
    }
    entry.idle = false;
    DeadlineSweeper::Disarm(deadline);
    if (ec || deadline.fired) {
      if (!deadline.fired && IsBadRequest(ec)) {
        if (parser.over_budget()) {
          io_.shared.metrics().CountOverloaded();
          WriteOverloadedResponse(ex.head, ex.error_body);
        } else {
          WriteParseErrorResponse(ex.head, ex.error_body, IsTooLarge(ec));
        }
        io_.deadlines.Arm(deadline, Clock::now() + std::chrono::seconds(5));
        co_await net::async_write(
            stream, Buffers{net::buffer(ex.head), net::buffer(ex.error_body)}, Token(ec));
        // The rest of the request is unread, and closing a socket with
        // unread input sends RST, which can destroy the answer before the
        // client read it: stop sending, then discard what the client still
        // sends, for a bounded time.
        if (!ec && !deadline.fired) {
          socket.shutdown(tcp::socket::shutdown_send, ec);
          std::array<char, 16384> sink;
          while (!ec && !deadline.fired) {
            (void)co_await stream.async_read_some(net::buffer(sink), Token(ec));
          }
        }
      }
      break;
    }
    ex.request.keep_alive = parser.keep_alive();
    rt = CurrentRuntime();  // a reload while this connection sat idle applies now
    const bool keep_alive = co_await ProxyRequest(io_, *rt, ex, client);
    Buffers out{net::buffer(ex.head), net::buffer(*ex.body)};
    bool sent = false;
    if constexpr (std::is_same_v<Stream, Socket>) sent = TrySend(socket, out, ec);
    if (!sent) {
      io_.deadlines.Arm(deadline, Clock::now() + std::chrono::seconds(30));
      co_await net::async_write(stream, out, Token(ec));
    }
    if (ec || deadline.fired || !keep_alive) break;
    // A large body must not stay allocated while the connection idles.
    ex.request.Clear();
    ex.upstream_res.Clear();
  }
}

}  // namespace callpath::gateway
