#include "gateway/worker.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

namespace callpath::gateway {
namespace {

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

}  // namespace

Worker::~Worker() {
  Join();
  // The acceptor goes while the io_context it belongs to still exists
  // (io_'s destructor then closes the rest in order).
  acceptor_.reset();
}

Result<uint16_t> Worker::Listen(const HostPort& addr, uint16_t port) {
  Result<net::ip::address> ip = ListenAddress(addr);
  if (!ip.ok()) return ip.status();
  tcp::endpoint ep(*ip, port);
  beast::error_code ec;
  acceptor_.emplace(io_.executor());
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

void Worker::Run() {
  net::co_spawn(io_.executor(), AcceptLoop(), net::detached);
  net::co_spawn(io_.executor(), io_.deadlines.Run(), net::detached);
  thread_ = std::thread([this] { io_.ioc->run(); });
}

void Worker::BeginStop() {
  net::post(*io_.ioc, [this] {
    beast::error_code ec;
    if (acceptor_) acceptor_->close(ec);
    for (ClientEntry* c : clients_) {
      if (c->idle) c->socket->cancel(ec);
    }
  });
}

void Worker::Join() {
  if (!thread_.joinable()) return;
  io_.ioc->stop();
  thread_.join();
}

Task<void> Worker::AcceptLoop() {
  for (;;) {
    beast::error_code ec;
    Socket socket = co_await acceptor_->async_accept(Token(ec));
    if (ec) {
      if (!acceptor_->is_open() || io_.shared.stopping()) co_return;
      // Out of descriptors or similar: back off instead of spinning.
      Timer wait(io_.executor(), std::chrono::milliseconds(50));
      co_await wait.async_wait(Token(ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    socket.non_blocking(true, ec);  // for TrySend
    net::co_spawn(io_.executor(), Serve(std::move(socket)), net::detached);
  }
}

const std::shared_ptr<Runtime>& Worker::CurrentRuntime() {
  const uint64_t gen = io_.shared.generation();
  if (!runtime_ || gen != runtime_generation_) {
    runtime_ = io_.shared.runtime();
    runtime_generation_ = gen;
  }
  return runtime_;
}

}  // namespace callpath::gateway
