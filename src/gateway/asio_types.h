// The Asio/Beast vocabulary of the proxy's data path. Every I/O object and
// coroutine is bound to its worker's io_context executor by type: no
// type-erased executor on the per-request path.
//
// Include only from the data path's translation units (compile time).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

#include <chrono>
#include <string_view>

namespace callpath::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Exec = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Exec>;
using Acceptor = net::basic_socket_acceptor<tcp, Exec>;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, Exec>;
template <typename T>
using Task = net::awaitable<T, Exec>;

inline std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }

// Completion token for `co_await op(..., Token(ec))`: errors land in `ec`
// instead of being thrown.
inline auto Token(beast::error_code& ec) {
  return net::redirect_error(net::use_awaitable_t<Exec>{}, ec);
}

}  // namespace callpath::gateway
