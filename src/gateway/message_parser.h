// MessageParser: Beast's HTTP/1.1 grammar filling a Message. Kept apart
// from the socket code (message_io.h) so that it can be fuzzed on its own:
// it is the gateway's parser of untrusted bytes, from clients and upstreams.
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "common/byte_budget.h"

#include "gateway/message.h"

namespace callpath::gateway {

// The same aliases as asio_types.h and message_io.h (redeclaring an alias
// to the same namespace is allowed).
namespace beast = boost::beast;
namespace http = beast::http;

namespace detail {
inline std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }
}  // namespace detail

// Beast's HTTP/1.1 grammar (limits, chunked decoding, keep-alive rules)
// filling a Message.
template <bool isRequest>
class MessageParser final : public http::basic_parser<isRequest> {
 public:
  explicit MessageParser(Message& m) : m_(&m) { m.Clear(); }

  // The limits every message is parsed with; the body limit is the config's.
  void SetLimits(uint64_t max_body) {
    this->eager(true);
    this->header_limit(64 * 1024);
    this->body_limit(max_body);
    max_body_ = max_body;
  }

  // The body takes its bytes from `lease` before they are buffered (the
  // announced length at once, else as chunks arrive); when the budget
  // cannot give them, parsing stops with body_limit and over_budget() is
  // true. `lease` must outlive the parse.
  void SetBudget(BudgetLease* lease) noexcept { lease_ = lease; }
  bool over_budget() const noexcept { return over_budget_; }

 private:
  void on_request_impl(http::verb, beast::string_view method, beast::string_view target,
                       int version, beast::error_code&) override {
    m_->SetRequestLine(detail::View(method), detail::View(target), version);
  }
  void on_response_impl(int code, beast::string_view reason, int version,
                        beast::error_code&) override {
    m_->SetStatusLine(code, detail::View(reason), version);
  }
  void on_field_impl(http::field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    m_->AddField(detail::View(name), detail::View(value));
  }
  void on_header_impl(beast::error_code& ec) override {
    if (!m_->HasAcceptableTransferEncoding()) ec = http::error::bad_transfer_encoding;
  }
  void on_body_init_impl(const boost::optional<uint64_t>& length, beast::error_code& ec) override {
    // Checked here as well as by Beast: its parser (Boost 1.74) reports an
    // over-limit Content-Length of a response but, in eager mode with body
    // bytes buffered, goes on into the body anyway, and reserving a length
    // from the wire would then throw.
    if (length) {
      if (*length > max_body_) {
        ec = http::error::body_limit;
        return;
      }
      if (!Take(*length, ec)) return;
      m_->body().reserve(static_cast<size_t>(*length));
    }
  }
  size_t on_body_impl(beast::string_view body, beast::error_code& ec) override {
    if (!Take(m_->body().size() + body.size(), ec)) return 0;
    m_->body().append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(uint64_t, beast::string_view body, beast::error_code& ec) override {
    if (!Take(m_->body().size() + body.size(), ec)) return 0;
    m_->body().append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  // Grows the lease to hold `total` body bytes; in steps, so that small
  // chunks do not each touch the shared counter.
  bool Take(uint64_t total, beast::error_code& ec) {
    if (lease_ == nullptr || total <= lease_->bytes()) return true;
    const uint64_t step = std::min<uint64_t>(lease_->bytes() + (uint64_t{1} << 20), max_body_);
    if (lease_->GrowTo(std::max(total, step)) || lease_->GrowTo(total)) return true;
    over_budget_ = true;
    ec = http::error::body_limit;
    return false;
  }

  Message* m_;
  uint64_t max_body_ = 0;  // SetLimits must be called before parsing
  BudgetLease* lease_ = nullptr;
  bool over_budget_ = false;
};

}  // namespace callpath::gateway
