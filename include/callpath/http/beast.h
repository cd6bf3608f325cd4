// Tracing for Boost.Beast HTTP servers and clients. Header-only: include it
// where Beast is used; callpath::http itself does not depend on Boost.
//
// Server (Beast has no middleware: bracket the handler):
//
//   http::request<http::string_body> req;  http::read(socket, buffer, req);
//   callpath::http::beast::ServerRequest traced(req, socket, options, "/orders");
//   http::response<http::string_body> res;
//   {
//     callpath::Scope scope = traced.Activate();   // handler runs in the span
//     handle(req, res);
//   }
//   traced.Finish(res);                             // headers, status, access log
//   http::write(socket, res);
//
// Client:
//
//   http::request<http::string_body> req{http::verb::get, "/items/7", 11};
//   req.set(http::field::host, "inventory:8080");
//   callpath::http::beast::ClientRequest call(req, "http://inventory:8080/items/7");
//   http::write(stream, req);  http::read(stream, buffer, res);
//   call.Finish(res);           // or call.Fail("connection_refused", ec.message())
//
// Threads and errors: as ServerSpan / ClientSpan.
#pragma once

#include <boost/beast/http.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/http/client_span.h"
#include "callpath/http/server_span.h"

namespace callpath::http::beast {

// TextMapCarrier over Beast header fields (names compare ignoring case).
template <class Fields>
class FieldsCarrier final : public TextMapCarrier {
 public:
  explicit FieldsCarrier(const Fields& fields) noexcept : read_(&fields) {}
  explicit FieldsCarrier(Fields& fields) noexcept : read_(&fields), write_(&fields) {}

  std::string_view Get(std::string_view key) const override {
    auto it = read_->find(boost::beast::string_view(key.data(), key.size()));
    if (it == read_->end()) return {};
    auto v = it->value();
    return {v.data(), v.size()};
  }
  size_t Count(std::string_view key) const override {
    return read_->count(boost::beast::string_view(key.data(), key.size()));
  }
  std::string GetJoined(std::string_view key) const override {
    std::string out;
    auto range = read_->equal_range(boost::beast::string_view(key.data(), key.size()));
    for (auto it = range.first; it != range.second; ++it) {
      if (it != range.first) out.push_back(',');
      auto v = it->value();
      out.append(v.data(), v.size());
    }
    return out;
  }
  std::vector<std::string_view> Keys() const override {
    std::vector<std::string_view> keys;
    for (const auto& f : *read_) {
      auto n = f.name_string();
      keys.emplace_back(n.data(), n.size());
    }
    return keys;
  }
  void Set(std::string_view key, std::string_view value) override {
    if (write_ == nullptr) return;
    write_->set(boost::beast::string_view(key.data(), key.size()),
                boost::beast::string_view(value.data(), value.size()));
  }

 private:
  const Fields* read_;
  Fields* write_ = nullptr;
};

// The SERVER span of one request read by Beast.
class ServerRequest {
 public:
  // `socket` is any Asio socket (for the peer and local endpoints); `route`
  // is the route template when the application's router knows it.
  // `options` must outlive this object.
  template <class Body, class Fields, class Socket>
  ServerRequest(const boost::beast::http::request<Body, Fields>& req, const Socket& socket,
                const ServerOptions& options, std::string_view route = {}) {
    FieldsCarrier<Fields> carrier(req);
    auto method = req.method_string();
    auto target = req.target();
    std::string version = req.version() == 10 ? "1.0" : req.version() == 11 ? "1.1"
                                                  : std::to_string(req.version() / 10);
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    std::string peer = ec ? std::string() : remote.address().to_string();
    int peer_port = ec ? -1 : remote.port();
    auto local = socket.local_endpoint(ec);
    int local_port = ec ? -1 : local.port();
    IncomingRequest in{.method = {method.data(), method.size()},
                       .target = {target.data(), target.size()},
                       .route = route,
                       .protocol_version = version,
                       .peer_address = peer,
                       .peer_port = peer_port,
                       .local_port = local_port,
                       .headers = &carrier};
    span_ = ServerSpan(in, options);
  }

  ServerSpan& span() noexcept { return span_; }
  Scope Activate() const noexcept { return span_.Activate(); }
  void SetRoute(std::string_view route) noexcept { span_.SetRoute(route); }
  void RecordException(const std::exception& e) noexcept { span_.RecordException(e); }

  // Adds traceresponse / X-Trace-ID to `res`, then ends the span with its
  // status. Call before writing the response.
  template <class Body, class Fields>
  void Finish(boost::beast::http::response<Body, Fields>& res) noexcept {
    try {
      span_.ForEachResponseHeader([&](std::string_view name, std::string_view value) {
        res.set(boost::beast::string_view(name.data(), name.size()),
                boost::beast::string_view(value.data(), value.size()));
      });
    } catch (...) {
    }
    span_.End(static_cast<int>(res.result_int()));
  }

 private:
  ServerSpan span_;
};

// The CLIENT span of one request sent with Beast. Injects into `req`.
class ClientRequest {
 public:
  // `url` is the absolute URL the request goes to (for url.full,
  // server.address and server.port).
  template <class Body, class Fields>
  ClientRequest(boost::beast::http::request<Body, Fields>& req, std::string_view url,
                const ClientOptions& options = {}) {
    FieldsCarrier<Fields> carrier(static_cast<Fields&>(req));
    auto method = req.method_string();
    span_ = ClientSpan({method.data(), method.size()}, url, carrier, options);
  }

  template <class Body, class Fields>
  void Finish(const boost::beast::http::response<Body, Fields>& res) noexcept {
    span_.End(static_cast<int>(res.result_int()));
  }
  void Fail(std::string_view error_type, std::string_view message = {}) noexcept {
    span_.EndWithError(error_type, message);
  }
  ClientSpan& span() noexcept { return span_; }

 private:
  ClientSpan span_;
};

}  // namespace callpath::http::beast
