#include "beast_server.h"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "callpath/http/beast.h"

namespace hop {

namespace bhttp = boost::beast::http;
using boost::asio::ip::tcp;

struct BeastServer::Impl {
  boost::asio::io_context io;
  tcp::acceptor acceptor{io};
  BeastHandler handler;
  callpath::http::ServerOptions options;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::vector<std::thread> sessions;

  void Session(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    for (;;) {
      BeastRequest req;
      bhttp::read(socket, buffer, req, ec);
      if (ec) break;
      callpath::http::beast::ServerRequest traced(req, socket, options);
      BeastResponse res{bhttp::status::ok, req.version()};
      res.keep_alive(req.keep_alive());
      {
        callpath::Scope scope = traced.Activate();
        try {
          std::string route = handler(req, res);
          traced.SetRoute(route);
        } catch (const std::exception& e) {
          traced.RecordException(e);
          res.result(bhttp::status::internal_server_error);
          res.body() = "internal error";
        }
      }
      res.prepare_payload();
      traced.Finish(res);
      bhttp::write(socket, res, ec);
      if (ec || !res.keep_alive()) break;
    }
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }
};

BeastServer::BeastServer(const std::string& host, int port, BeastHandler handler,
                         callpath::http::ServerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->options = std::move(options);
  tcp::endpoint ep(boost::asio::ip::make_address(host), static_cast<unsigned short>(port));
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
}

BeastServer::~BeastServer() {
  Stop();
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& t : impl_->sessions) t.detach();  // blocked reads end with the process
}

int BeastServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void BeastServer::Run() {
  while (!impl_->stopping) {
    boost::beast::error_code ec;
    tcp::socket socket(impl_->io);
    impl_->acceptor.accept(socket, ec);
    if (ec) {
      if (impl_->stopping) break;
      continue;
    }
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->sessions.emplace_back(
        [this, s = std::move(socket)]() mutable { impl_->Session(std::move(s)); });
  }
}

void BeastServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  // shutdown() wakes a thread blocked in accept() (close() would not).
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
}

}  // namespace hop
