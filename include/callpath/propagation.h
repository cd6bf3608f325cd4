// Propagation: how a Context crosses a process boundary inside message
// headers (HTTP headers, gRPC metadata, queue message attributes).
//
// Two roles, as in OpenTelemetry:
//   - a TextMapCarrier reads and writes the header fields of one message;
//   - a TextMapPropagator turns a Context into fields (Inject) and fields
//     back into a Context (Extract), in one wire format.
//
// Most programs need only:
//
//   HeaderMapCarrier out(request_headers);
//   GlobalPropagator().Inject(Context::Current(), out);           // client
//
//   HeaderMapCarrier in(std::as_const(request_headers));
//   Context parent = GlobalPropagator().Extract(in);              // server
//
// The global propagator comes from OTEL_PROPAGATORS (default
// "tracecontext,baggage").
//
// Errors: propagators never throw and never fail loudly. A missing or
// malformed field leaves the context as it was, exactly as if the field had
// not been sent; the SDK then starts a new trace. Extracted span contexts are
// marked remote.
//
// Threads: every propagator here is immutable after construction; one
// instance may be used from any number of threads at once. Carriers are not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/context.h"
#include "callpath/span_context.h"

namespace callpath {

namespace detail {
// Header-name comparison: equal ignoring the case of ASCII letters.
inline bool AsciiIEquals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  if (std::memcmp(a.data(), b.data(), a.size()) == 0) return true;  // the usual case
  for (size_t i = 0; i < a.size(); ++i) {
    const unsigned char x = static_cast<unsigned char>(a[i]) | 0x20;
    if (a[i] != b[i] && (x != (static_cast<unsigned char>(b[i]) | 0x20) || x < 'a' || x > 'z')) {
      return false;
    }
  }
  return true;
}
}  // namespace detail

// ---------------------------------------------------------------------------
// Carriers

// The header fields of one message. Field names are case-insensitive (HTTP);
// matching them ignoring ASCII case is the carrier's job. Propagators write
// names in lowercase.
class TextMapCarrier {
 public:
  virtual ~TextMapCarrier() = default;

  // The value of the first field named `key`, or "" if there is none. The
  // view stays valid until the carrier is next modified.
  virtual std::string_view Get(std::string_view key) const = 0;

  // How many fields are named `key` (a duplicated traceparent is invalid).
  // The default can only tell zero from one.
  virtual size_t Count(std::string_view key) const { return Get(key).empty() ? 0 : 1; }

  // All values of the fields named `key`, joined by ',' in order (RFC 9110
  // list semantics, for tracestate and baggage). The default returns Get().
  virtual std::string GetJoined(std::string_view key) const { return std::string(Get(key)); }

  // Every field name, in order, duplicates included. Needed only by formats
  // that use a name prefix (Jaeger's "uberctx-<key>"); a carrier that cannot
  // list its fields returns nothing and such fields are not extracted.
  // The views stay valid until the carrier is next modified.
  virtual std::vector<std::string_view> Keys() const { return {}; }

  // Replaces every field named `key` with one field holding `value`.
  virtual void Set(std::string_view key, std::string_view value) = 0;
};

// Reads and writes a list of (name, value) fields owned by the caller, e.g.
// the headers of an HTTP request. Several fields may share a name.
class HeaderMapCarrier final : public TextMapCarrier {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // Read-write. `headers` must outlive the carrier.
  explicit HeaderMapCarrier(Headers& headers) noexcept : read_(&headers), write_(&headers) {}
  // Read-only: Set does nothing. `headers` must outlive the carrier.
  explicit HeaderMapCarrier(const Headers& headers) noexcept : read_(&headers) {}
  HeaderMapCarrier(Headers&&) = delete;  // would dangle

  std::string_view Get(std::string_view key) const override;
  size_t Count(std::string_view key) const override;
  std::string GetJoined(std::string_view key) const override;
  std::vector<std::string_view> Keys() const override;
  // Overwrites the first field of that name in place (keeping its position
  // and spelling), erases the others, or appends a new field.
  void Set(std::string_view key, std::string_view value) override;

 private:
  const Headers* read_;
  Headers* write_ = nullptr;
};

// A carrier with fixed inline storage and no heap allocation: at most
// kMaxFields fields whose names and values total at most kBytes (a value
// rewritten with a length no greater than before reuses its space). When it
// is full, Set drops the field and overflowed() turns true. Meant for hot
// paths and benchmarks, and as a scratch carrier to build headers in.
template <size_t kMaxFields = 8, size_t kBytes = 1024>
class FlatCarrier final : public TextMapCarrier {
 public:
  std::string_view Get(std::string_view key) const override {
    const Field* f = Find(key);
    return f ? Value(*f) : std::string_view();
  }
  size_t Count(std::string_view key) const override { return Find(key) ? 1 : 0; }
  std::vector<std::string_view> Keys() const override {
    std::vector<std::string_view> keys;
    for (size_t i = 0; i < size_; ++i) keys.push_back(Key(fields_[i]));
    return keys;
  }
  void Set(std::string_view key, std::string_view value) override {
    Field* f = const_cast<Field*>(Find(key));
    if (f != nullptr && value.size() <= f->value_len) {
      std::memcpy(buffer_ + f->value_off, value.data(), value.size());
      f->value_len = static_cast<uint32_t>(value.size());
      return;
    }
    if (f == nullptr) {
      if (size_ == kMaxFields || key.size() > kBytes - used_) return Overflow();
      f = &fields_[size_++];
      f->key_off = Append(key);
      f->key_len = static_cast<uint32_t>(key.size());
    }
    if (value.size() > kBytes - used_) {
      f->value_len = 0;
      return Overflow();
    }
    f->value_off = Append(value);
    f->value_len = static_cast<uint32_t>(value.size());
  }

  size_t size() const noexcept { return size_; }
  bool overflowed() const noexcept { return overflowed_; }
  void Clear() noexcept { size_ = used_ = 0; overflowed_ = false; }

 private:
  struct Field {
    uint32_t key_off, key_len, value_off, value_len;
  };
  std::string_view Key(const Field& f) const { return {buffer_ + f.key_off, f.key_len}; }
  std::string_view Value(const Field& f) const { return {buffer_ + f.value_off, f.value_len}; }
  const Field* Find(std::string_view key) const {
    for (size_t i = 0; i < size_; ++i) {
      if (detail::AsciiIEquals(Key(fields_[i]), key)) return &fields_[i];
    }
    return nullptr;
  }
  uint32_t Append(std::string_view s) {
    std::memcpy(buffer_ + used_, s.data(), s.size());
    uint32_t off = static_cast<uint32_t>(used_);
    used_ += s.size();
    return off;
  }
  void Overflow() { overflowed_ = true; }

  Field fields_[kMaxFields];
  char buffer_[kBytes];
  size_t size_ = 0;
  size_t used_ = 0;
  bool overflowed_ = false;
};

// Adapts any header container through two callables, e.g. gRPC metadata or
// a web framework's request object:
//   get(std::string_view name) -> std::string_view   first value or ""
//   set(std::string_view name, std::string_view value)
// The views get returns must stay valid while the carrier is in use.
//
//   auto carrier = MakeFunctionCarrier(
//       [&](std::string_view k) { return req.header(k); },
//       [&](std::string_view k, std::string_view v) { req.set_header(k, v); });
template <typename GetFn, typename SetFn>
class FunctionCarrier final : public TextMapCarrier {
 public:
  FunctionCarrier(GetFn get, SetFn set) : get_(std::move(get)), set_(std::move(set)) {}
  std::string_view Get(std::string_view key) const override { return get_(key); }
  void Set(std::string_view key, std::string_view value) override { set_(key, value); }

 private:
  GetFn get_;
  SetFn set_;
};

template <typename GetFn, typename SetFn>
FunctionCarrier<GetFn, SetFn> MakeFunctionCarrier(GetFn get, SetFn set) {
  return FunctionCarrier<GetFn, SetFn>(std::move(get), std::move(set));
}

// ---------------------------------------------------------------------------
// Propagators

class TextMapPropagator {
 public:
  virtual ~TextMapPropagator() = default;

  // Writes the span context and/or baggage of `context` into `carrier`.
  // An invalid span context writes no trace fields. Never throws.
  void Inject(const Context& context, TextMapCarrier& carrier) const noexcept;

  // Returns `base` with what the carrier holds in this format replacing its
  // span context (marked remote) and/or its baggage. Anything missing or
  // malformed leaves the corresponding part of `base` as it was. Never throws.
  Context Extract(const TextMapCarrier& carrier, const Context& base = {}) const noexcept;

  // The field names Inject may write (e.g. for CORS "Access-Control-*"
  // lists). Prefix-named fields appear as their prefix ("uberctx-"). The
  // views live as long as the propagator.
  virtual std::vector<std::string_view> Fields() const = 0;

 protected:
  // Implementations may throw (std::bad_alloc); the public wrappers turn an
  // exception into "nothing injected" / "base returned".
  virtual void DoInject(const Context& context, TextMapCarrier& carrier) const = 0;
  virtual Context DoExtract(const TextMapCarrier& carrier, const Context& base) const = 0;
};

// A callpath-private bit in TraceFlags::bits that records the B3 / Jaeger
// "debug" decision, so that a debug request stays debug on every hop that
// speaks B3 or Jaeger (it implies sampled). It is never sent in a W3C
// traceparent, which carries only the sampled and random-trace-id bits.
inline constexpr uint8_t kTraceFlagDebug = 0x80;

// W3C Trace Context Level 2: `traceparent` and `tracestate`.
//  - traceparent is parsed strictly: lowercase hex, version ff invalid,
//    version 00 exactly 55 characters, later versions read at the version-00
//    positions, all-zero ids invalid, surrounding spaces/tabs ignored, a
//    duplicated field invalid. Incoming flags keep bits 0x01 and 0x02.
//  - tracestate is read only with a valid traceparent, and dropped whole if
//    any member is invalid (see TraceState::Parse).
//  - Inject writes version 00 with flags masked to 0x03, and tracestate only
//    when it has members.
class W3CTraceContextPropagator final : public TextMapPropagator {
 public:
  std::vector<std::string_view> Fields() const override;

 protected:
  void DoInject(const Context& context, TextMapCarrier& carrier) const override;
  Context DoExtract(const TextMapCarrier& carrier, const Context& base) const override;
};

// Parses one traceparent value by the rules above (without the duplicate
// check, which needs the carrier). Returns a remote SpanContext or nullopt.
std::optional<SpanContext> ParseTraceparent(std::string_view value) noexcept;
inline constexpr size_t kTraceparentSize = 55;
// Writes the 55-character version-00 traceparent of a valid `span` to `out`.
void FormatTraceparent(const SpanContext& span, char (&out)[kTraceparentSize]) noexcept;

// W3C Baggage: the `baggage` field(s).
//  - Extract percent-decodes keys and values (invalid UTF-8 becomes U+FFFD),
//    keeps properties as raw text, drops malformed members one by one, lets
//    a repeated key overwrite the earlier value, and keeps at most 64
//    members / 8192 bytes (counted in the form Inject would send), dropping
//    whole members that do not fit.
//  - Inject percent-encodes what the grammar does not allow (and '%'), with
//    the same limits; it writes nothing for empty baggage.
class W3CBaggagePropagator final : public TextMapPropagator {
 public:
  std::vector<std::string_view> Fields() const override;

 protected:
  void DoInject(const Context& context, TextMapCarrier& carrier) const override;
  Context DoExtract(const TextMapCarrier& carrier, const Context& base) const override;
};

// Zipkin B3. Extract tries the single `b3` field, then the `x-b3-*` fields.
// Trace ids of 16 hex characters are left-padded to 128 bits. Debug ("d",
// X-B3-Flags: 1) sets sampled and kTraceFlagDebug. A field holding only a
// sampling decision ("b3: 0") carries no trace to continue and is ignored.
// Inject never writes a parent span id.
class B3Propagator final : public TextMapPropagator {
 public:
  enum class Encoding : uint8_t { kSingleHeader, kMultiHeader };
  explicit B3Propagator(Encoding encoding = Encoding::kSingleHeader) noexcept
      : encoding_(encoding) {}

  std::vector<std::string_view> Fields() const override;

 protected:
  void DoInject(const Context& context, TextMapCarrier& carrier) const override;
  Context DoExtract(const TextMapCarrier& carrier, const Context& base) const override;

 private:
  Encoding encoding_;
};

// Jaeger: `uber-trace-id: {trace}:{span}:{parent}:{flags}` (the value may be
// percent-encoded as a whole; ids of any length up to 32 / 16 hex digits are
// left-padded; flags 0x01 sampled, 0x02 debug) and one `uberctx-{key}` field
// per baggage entry, its value percent-encoded. Baggage keys are lowercased
// on extract (field names are case-insensitive) and entries whose key is not
// a valid field name are not sent. Inject writes parent span id "0".
class JaegerPropagator final : public TextMapPropagator {
 public:
  std::vector<std::string_view> Fields() const override;

 protected:
  void DoInject(const Context& context, TextMapCarrier& carrier) const override;
  Context DoExtract(const TextMapCarrier& carrier, const Context& base) const override;
};

// A plain trace-id field (default `X-Trace-ID`; sent lowercase, read in any
// case) as older callpath services and many in-house systems send it: its
// only job is that every log line and span of one request shares one trace
// id.
//  - Inject writes the 32 lowercase hex digits of the trace id.
//  - Extract accepts 32 hex digits (any case), a UUID spelling of them, or 16
//    hex digits (left-padded). The field names no parent span, so Extract
//    makes a remote parent whose span id is derived from the trace id: every
//    service receiving the same trace id hangs its spans under the same
//    (absent) parent instead of a different invented one. The parent is
//    marked sampled: a caller that sends a trace id wants the request
//    recorded. If `base` already holds a valid span context of the same
//    trace (e.g. from traceparent earlier in a composite), it is kept.
class LegacyTraceIdPropagator final : public TextMapPropagator {
 public:
  explicit LegacyTraceIdPropagator(std::string header = "X-Trace-ID");

  std::vector<std::string_view> Fields() const override;

 protected:
  void DoInject(const Context& context, TextMapCarrier& carrier) const override;
  Context DoExtract(const TextMapCarrier& carrier, const Context& base) const override;

 private:
  std::string header_;
};

// Runs several propagators: Inject calls each in order; Extract feeds the
// result of each into the next, so a later format wins where both are
// present.
class CompositePropagator final : public TextMapPropagator {
 public:
  explicit CompositePropagator(std::vector<std::unique_ptr<TextMapPropagator>> propagators);

  std::vector<std::string_view> Fields() const override;

 protected:
  void DoInject(const Context& context, TextMapCarrier& carrier) const override;
  Context DoExtract(const TextMapCarrier& carrier, const Context& base) const override;

 private:
  std::vector<std::unique_ptr<TextMapPropagator>> propagators_;
};

// Injects nothing and extracts nothing (OTEL_PROPAGATORS=none).
class NoopPropagator final : public TextMapPropagator {
 public:
  std::vector<std::string_view> Fields() const override { return {}; }

 protected:
  void DoInject(const Context&, TextMapCarrier&) const override {}
  Context DoExtract(const TextMapCarrier&, const Context& base) const override { return base; }
};

// ---------------------------------------------------------------------------
// Configuration

// Builds the propagators named in a comma-separated list, in order:
// tracecontext, baggage, b3 (single header), b3multi, jaeger, xtraceid,
// none. Names are case-insensitive and trimmed; repeats are ignored; "none"
// adds nothing; an unknown name is reported once per process on stderr and
// ignored. An empty result is a NoopPropagator; one name gives that
// propagator itself, several a CompositePropagator.
std::unique_ptr<TextMapPropagator> MakePropagators(std::string_view list);

// MakePropagators(OTEL_PROPAGATORS), or "tracecontext,baggage" when the
// variable is unset or empty.
std::unique_ptr<TextMapPropagator> PropagatorsFromEnvironment();

// The process-wide propagator, built from the environment on first use.
// Thread-safe. The reference stays valid until the process exits, even after
// SetGlobalPropagator replaced it.
const TextMapPropagator& GlobalPropagator() noexcept;

// Installs `propagator` (nullptr installs a NoopPropagator). The previous one
// is kept alive until exit so references handed out earlier stay usable, so
// call this at startup, not per request. Thread-safe.
void SetGlobalPropagator(std::unique_ptr<TextMapPropagator> propagator);

}  // namespace callpath
