// Reading and writing HTTP/1.1 messages on a socket, without coroutine
// frames or composed operations of their own: the per-request path calls
// these from its own coroutine.
//
// Reading one complete message into a parser, as http::async_read does but
// with one socket read per wait:
//
//   while (!ParseBuffered(parser, buffer, ec)) {
//     size_t n = co_await socket.async_read_some(ReadSpace(buffer), Token(ec));
//     if (AfterRead(parser, buffer, n, ec)) break;
//   }
//
// `buffer` keeps whatever follows the message for the next one. Errors as
// Beast reports them: end_of_stream when the peer closed between messages.
#pragma once

#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

#include "gateway/asio_types.h"
#include "gateway/message.h"
#include "gateway/message_parser.h"

namespace callpath::gateway {

namespace http = beast::http;

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

inline net::mutable_buffer ReadSpace(beast::flat_buffer& buffer) {
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

// A head and the body that follows it.
using Buffers = std::array<net::const_buffer, 2>;

// Sends what it can of `bufs` now, on a socket in non-blocking mode, and
// advances `bufs` past it. True when done (all sent, or `ec` says why not);
// false when the rest must wait for the socket (async_write). A head and
// body that fit the socket's buffer, nearly always the case, are sent
// without an asynchronous operation and its round trip through the loop.
inline bool TrySend(Socket& socket, Buffers& bufs, beast::error_code& ec) {
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

}  // namespace callpath::gateway
