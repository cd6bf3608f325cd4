#include <zlib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "loadgen/sender.h"
#include "otlp/wire/proto_reader.h"

namespace callpath::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool Gzip(std::string_view in, std::string& out) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out.resize(deflateBound(&zs, in.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END;
}

class HttpSender : public Sender {
 public:
  HttpSender(std::string host, std::string port, std::string base, bool gzip, std::string token)
      : host_(std::move(host)), port_(std::move(port)), base_(std::move(base)), gzip_(gzip),
        authorization_(token.empty() ? "" : "Bearer " + token) {}

  SendResult Send(Signal signal, std::string_view body) override {
    SendResult r;
    beast::error_code ec;
    // One retry on a fresh connection: the server may have closed an idle one.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!stream_ && !Connect(&r.error)) return r;
      http::request<http::string_body> req{http::verb::post,
                                           base_ + (signal == Signal::kTraces ? "/v1/traces" : "/v1/logs"), 11};
      req.set(http::field::host, host_ + ":" + port_);
      req.set(http::field::content_type, "application/x-protobuf");
      req.set(http::field::user_agent, "callpath-loadgen/0.1");
      if (!authorization_.empty()) req.set(http::field::authorization, authorization_);
      req.keep_alive(true);
      if (gzip_) {
        std::string z;
        if (!Gzip(body, z)) {
          r.error = "gzip failed";
          return r;
        }
        req.set(http::field::content_encoding, "gzip");
        req.body() = std::move(z);
      } else {
        req.body().assign(body.data(), body.size());
      }
      req.prepare_payload();
      http::write(*stream_, req, ec);
      if (ec) {
        stream_.reset();
        r.error = "write: " + ec.message();
        continue;
      }
      http::response<http::string_body> res;
      buffer_.clear();
      http::read(*stream_, buffer_, res, ec);
      if (ec) {
        stream_.reset();
        r.error = "read: " + ec.message();
        continue;
      }
      if (!res.keep_alive()) stream_.reset();
      unsigned status = res.result_int();
      if (status == 200) {
        r.kind = SendResult::Kind::kOk;
        r.rejected = RejectedFromResponse(res.body());
        r.error.clear();
      } else if (status == 429 || status == 503 || status == 502 || status == 504) {
        r.kind = SendResult::Kind::kThrottled;
        auto ra = res[http::field::retry_after];
        if (!ra.empty()) r.retry_after_s = std::atof(std::string(ra).c_str());
      } else {
        r.kind = SendResult::Kind::kFailed;
        r.error = "HTTP " + std::to_string(status);
      }
      return r;
    }
    return r;
  }

 private:
  bool Connect(std::string* error) {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host_, port_, ec);
    if (ec) {
      *error = "resolve " + host_ + ": " + ec.message();
      return false;
    }
    stream_.emplace(ioc_);
    stream_->connect(results, ec);
    if (ec) {
      stream_.reset();
      *error = "connect " + host_ + ":" + port_ + ": " + ec.message();
      return false;
    }
    stream_->socket().set_option(tcp::no_delay(true), ec);
    return true;
  }

  std::string host_, port_, base_;
  bool gzip_;
  asio::io_context ioc_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::string authorization_;
};

}  // namespace

std::unique_ptr<Sender> MakeHttpSender(const std::string& endpoint, bool gzip, const SenderSecurity& security) {
  std::string rest = endpoint;
  if (rest.starts_with("http://")) rest = rest.substr(7);
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  std::string base = slash == std::string::npos ? "" : rest.substr(slash);
  while (!base.empty() && base.back() == '/') base.pop_back();
  size_t colon = hostport.rfind(':');
  std::string host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
  std::string port = colon == std::string::npos ? "4318" : hostport.substr(colon + 1);
  return std::make_unique<HttpSender>(host, port, base, gzip, security.token);
}

uint64_t RejectedFromResponse(std::string_view body) {
  otlp::ProtoReader r(body);
  otlp::ProtoField f;
  while (r.Next(&f)) {
    if (f.number == 1 && f.type == otlp::WireType::kLengthDelimited) {
      otlp::ProtoReader ps(f.bytes);
      otlp::ProtoField g;
      while (ps.Next(&g))
        if (g.number == 1 && g.type == otlp::WireType::kVarint) return g.as_uint64();
    }
  }
  return 0;
}

}  // namespace callpath::loadgen
