// SpanContext: the part of a span that crosses process boundaries —
// trace id, span id, trace flags and tracestate — plus whether it came
// from a remote process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/ids.h"

namespace callpath {

// W3C trace-flags. Test single bits; never compare the whole byte.
struct TraceFlags {
  static constexpr uint8_t kSampled = 0x01;
  static constexpr uint8_t kRandomTraceId = 0x02;  // W3C Trace Context Level 2

  uint8_t bits = 0;

  bool sampled() const noexcept { return bits & kSampled; }
  bool random_trace_id() const noexcept { return bits & kRandomTraceId; }
  friend bool operator==(TraceFlags a, TraceFlags b) noexcept { return a.bits == b.bits; }
};

// W3C tracestate: an ordered list of vendor key=value members, at most 32.
// Immutable and shared: copies are cheap (one pointer). Build new states with
// Set/Remove, which return a new TraceState.
class TraceState {
 public:
  static constexpr size_t kMaxMembers = 32;
  using Member = std::pair<std::string, std::string>;

  TraceState() = default;

  // Parses a tracestate header value (members joined from all header fields
  // with ','). Level 2 grammar. Any invalid member or more than 32 members
  // makes the whole value invalid: returns false and leaves `out` empty (the
  // W3C harness at strict level 2 expects this). A repeated key is not an
  // error: its first (left-most) entry is kept and the repeats are dropped.
  static bool Parse(std::string_view header, TraceState* out);

  // The header value to send: members joined by ',' in order. Empty when
  // there are no members.
  std::string ToHeader() const;

  // Level 2 key grammar: [a-z0-9] then up to 255 of [a-z0-9_-*/@].
  static bool IsValidKey(std::string_view key) noexcept;
  // 1-256 chars of 0x20-0x7E except ',' and '='; last char not a space.
  static bool IsValidValue(std::string_view value) noexcept;

  bool empty() const noexcept { return !members_ || members_->empty(); }
  size_t size() const noexcept { return members_ ? members_->size() : 0; }
  // Value for `key`, or empty if absent.
  std::string_view Get(std::string_view key) const noexcept;
  const std::vector<Member>& members() const noexcept;

  // Returns a state with key=value moved to the far left (W3C mutation rule);
  // when that would exceed 32 members the right-most member is dropped.
  // Returns *this unchanged if key or value is invalid.
  TraceState Set(std::string_view key, std::string_view value) const;
  TraceState Remove(std::string_view key) const;

  friend bool operator==(const TraceState& a, const TraceState& b) noexcept {
    return a.members() == b.members();
  }

 private:
  explicit TraceState(std::shared_ptr<const std::vector<Member>> m) : members_(std::move(m)) {}
  std::shared_ptr<const std::vector<Member>> members_;
};

class SpanContext {
 public:
  SpanContext() noexcept = default;
  SpanContext(TraceId trace_id, SpanId span_id, TraceFlags flags, bool remote,
              TraceState state = {}) noexcept
      : trace_id_(trace_id), span_id_(span_id), flags_(flags), remote_(remote),
        trace_state_(std::move(state)) {}

  static SpanContext Invalid() noexcept { return {}; }

  // Valid when both ids are valid.
  bool IsValid() const noexcept { return trace_id_.IsValid() && span_id_.IsValid(); }
  bool IsRemote() const noexcept { return remote_; }
  bool IsSampled() const noexcept { return flags_.sampled(); }

  const TraceId& trace_id() const noexcept { return trace_id_; }
  const SpanId& span_id() const noexcept { return span_id_; }
  TraceFlags trace_flags() const noexcept { return flags_; }
  const TraceState& trace_state() const noexcept { return trace_state_; }

  friend bool operator==(const SpanContext& a, const SpanContext& b) noexcept {
    return a.trace_id_ == b.trace_id_ && a.span_id_ == b.span_id_ &&
           a.flags_ == b.flags_ && a.remote_ == b.remote_ && a.trace_state_ == b.trace_state_;
  }

 private:
  TraceId trace_id_;
  SpanId span_id_;
  TraceFlags flags_;
  bool remote_ = false;
  TraceState trace_state_;
};

}  // namespace callpath
