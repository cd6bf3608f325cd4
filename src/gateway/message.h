// One parsed HTTP/1.1 message (request or response) as the data path keeps
// it: every string of the head lives in one arena, fields are offsets into
// it, and the body is one string. A connection reuses its Message objects
// from message to message, so once the buffers have grown, parsing a
// message allocates nothing (a per-field allocation was the largest cost of
// a node-based header map).
//
// Filled by MessageParser in message_parser.h (Beast's basic_parser does the
// HTTP grammar); read by the proxy and, through MessageCarrier, the propagators.
//
// Threads: one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/propagation.h"

namespace callpath::gateway {

class Message {
 public:
  // Forgets the previous message. Keeps the buffers' capacity unless they
  // grew past `keep_capacity` bytes (one large body must not pin memory for
  // the connection's lifetime).
  void Clear(size_t keep_capacity = 64 * 1024);

  // Building (the parser). The views passed in are copied.
  void SetRequestLine(std::string_view method, std::string_view target, int version);
  void SetStatusLine(int status, std::string_view reason, int version);
  void AddField(std::string_view name, std::string_view value);
  std::string& body() noexcept { return body_; }

  // Reading. Views stay valid until the next Clear or Add/Set call.
  std::string_view method() const noexcept { return View(method_); }
  std::string_view target() const noexcept { return View(target_); }
  int status() const noexcept { return status_; }
  std::string_view reason() const noexcept { return View(reason_); }
  int version() const noexcept { return version_; }  // 10 or 11
  const std::string& body() const noexcept { return body_; }

  size_t field_count() const noexcept { return fields_.size(); }
  std::string_view field_name(size_t i) const noexcept { return View(fields_[i].name); }
  std::string_view field_value(size_t i) const noexcept { return View(fields_[i].value); }
  // The value of the first field named `name` (ASCII case ignored), or "".
  std::string_view Get(std::string_view name) const noexcept;
  size_t Count(std::string_view name) const noexcept;
  // Whether a Connection field lists `name` (RFC 9110 7.6.1: such fields
  // concern this connection only and are not forwarded).
  bool IsConnectionOption(std::string_view name) const noexcept;
  // Whether the Transfer-Encoding fields, if any, say exactly "chunked".
  // Anything else - an unknown coding ("xchunked"), a stacked one
  // ("chunked, identity"), chunked twice - is refused rather than
  // guessed at: another hop could frame the message differently.
  bool HasAcceptableTransferEncoding() const noexcept;

  // Connection semantics, decided by the parser from the version and the
  // Connection field.
  bool keep_alive = false;
  // The body ends when the connection closes (no length, not chunked).
  bool need_eof = false;

 private:
  struct Range {
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  struct Field {
    Range name, value;
  };
  Range Store(std::string_view s);
  std::string_view View(Range r) const noexcept { return {text_.data() + r.offset, r.size}; }

  std::string text_;  // every string of the head, back to back
  std::vector<Field> fields_;
  Range method_, target_, reason_;
  int status_ = 0;
  int version_ = 11;
  std::string body_;
};

// Read-only TextMapCarrier over a Message's fields, for Extract.
class MessageCarrier final : public TextMapCarrier {
 public:
  explicit MessageCarrier(const Message& m) noexcept : m_(&m) {}
  std::string_view Get(std::string_view key) const override { return m_->Get(key); }
  size_t Count(std::string_view key) const override { return m_->Count(key); }
  std::string GetJoined(std::string_view key) const override;
  std::vector<std::string_view> Keys() const override;
  void Set(std::string_view, std::string_view) override {}

 private:
  const Message* m_;
};

}  // namespace callpath::gateway
