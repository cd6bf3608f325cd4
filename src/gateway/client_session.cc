// The downstream connection loop: one coroutine per client connection
// reads requests, has each proxied, and writes the responses.
#include <boost/asio/write.hpp>

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

  const ClientAddress client = AddressOf(socket);
  beast::error_code ec;
  beast::flat_buffer buffer;
  Exchange ex;
  for (;;) {
    if (io_.shared.stopping()) break;
    std::shared_ptr<Runtime> rt = CurrentRuntime();
    MessageParser<true> parser(ex.request);
    parser.SetLimits(rt->config().max_body_bytes);
    entry.idle = true;
    io_.deadlines.Arm(deadline, Clock::now() + rt->config().client_idle_timeout);
    ec = {};
    while (!ParseBuffered(parser, buffer, ec)) {
      const size_t n = co_await socket.async_read_some(ReadSpace(buffer), Token(ec));
      if (AfterRead(parser, buffer, n, ec)) break;
    }
    entry.idle = false;
    DeadlineSweeper::Disarm(deadline);
    if (ec || deadline.fired) {
      if (!deadline.fired && IsBadRequest(ec)) {
        WriteParseErrorResponse(ex.head, ex.error_body, IsTooLarge(ec));
        io_.deadlines.Arm(deadline, Clock::now() + std::chrono::seconds(5));
        co_await net::async_write(
            socket, Buffers{net::buffer(ex.head), net::buffer(ex.error_body)}, Token(ec));
      }
      break;
    }
    ex.request.keep_alive = parser.keep_alive();
    rt = CurrentRuntime();  // a reload while this connection sat idle applies now
    const bool keep_alive = co_await ProxyRequest(io_, *rt, ex, client);
    Buffers out{net::buffer(ex.head), net::buffer(*ex.body)};
    if (!TrySend(socket, out, ec)) {
      io_.deadlines.Arm(deadline, Clock::now() + std::chrono::seconds(30));
      co_await net::async_write(socket, out, Token(ec));
    }
    if (ec || deadline.fired || !keep_alive) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace callpath::gateway
