// Context: what one unit of work knows about the request it serves — the
// current span's SpanContext and the request's baggage. A small value type:
// copy it, store it, hand it to another thread or callback, like Go's
// context.Context.
//
// Each thread has a current Context. A Scope makes a Context current for its
// lifetime and restores the previous one when destroyed. Scopes should be
// destroyed in reverse order of creation, on the thread that created them.
// Destroyed out of order, a Scope is taken off the thread's stack of scopes
// where it is, so the thread ends up with the context of the innermost scope
// still alive. A Scope that is never destroyed (abandoned) leaves its
// context active below the scopes made after it.
#pragma once

#include <cstdint>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

#include "callpath/baggage.h"
#include "callpath/span_context.h"

namespace callpath {

class Context {
 public:
  Context() noexcept = default;
  explicit Context(SpanContext span, Baggage baggage = {}) noexcept
      : span_(std::move(span)), baggage_(std::move(baggage)) {}

  // The calling thread's current context (empty if none is active).
  static const Context& Current() noexcept;

  const SpanContext& span_context() const noexcept { return span_; }
  const Baggage& baggage() const noexcept { return baggage_; }

  Context WithSpanContext(SpanContext span) const {
    return Context(std::move(span), baggage_);
  }
  Context WithBaggage(Baggage baggage) const { return Context(span_, std::move(baggage)); }

  friend bool operator==(const Context& a, const Context& b) noexcept {
    return a.span_ == b.span_ && a.baggage_ == b.baggage_;
  }

 private:
  SpanContext span_;
  Baggage baggage_;
};

namespace detail {

// The thread's stack of active contexts. The first kInlineDepth entries
// live in the thread-local block itself (constant-initialised and trivially
// destructible, so reading it needs no TLS guard or call); deeper ones in
// heap chunks that never move. Entries are constructed while in use only.
struct ContextEntry {
  Context context;
  bool ended = false;  // its Scope was destroyed while not innermost
};

struct ContextStack {
  static constexpr uint32_t kInlineDepth = 16;
  static constexpr uint32_t kChunkDepth = 16;

  uint32_t depth = 0;         // entries [0, depth) are constructed
  uint8_t cleanup_state = 0;  // 0: none yet, 1: thread-exit cleanup registered, 2: ran
  uint32_t chunk_count = 0;
  ContextEntry** chunks = nullptr;  // deeper entries, kChunkDepth each
  alignas(ContextEntry) unsigned char inline_entries[kInlineDepth * sizeof(ContextEntry)] = {};

  ContextEntry* inline_entry(uint32_t i) noexcept {
    return std::launder(reinterpret_cast<ContextEntry*>(inline_entries) + i);
  }
  ContextEntry* entry(uint32_t i) noexcept {
    if (i < kInlineDepth) return inline_entry(i);
    i -= kInlineDepth;
    return chunks[i / kChunkDepth] + i % kChunkDepth;
  }
};

extern constinit thread_local ContextStack t_context_stack [[gnu::tls_model("initial-exec")]];
extern const Context kEmptyContext;

// Out-of-line halves of Scope: first use on a thread, deep stacks, and
// scopes destroyed out of order or on another thread.
uint32_t PushContextSlow(Context&& context) noexcept;
void PopContextSlow(ContextStack* owner, uint32_t index) noexcept;
void PopEndedContexts() noexcept;

}  // namespace detail

inline const Context& Context::Current() noexcept {
  detail::ContextStack& s = detail::t_context_stack;
  return s.depth == 0 ? detail::kEmptyContext : s.entry(s.depth - 1)->context;
}

// Makes `context` current on this thread until destroyed. Not movable: a
// Scope lives on the stack of the code that activated it.
class [[nodiscard]] Scope {
 public:
  explicit Scope(Context context) noexcept {
    detail::ContextStack& s = detail::t_context_stack;
    const uint32_t i = s.depth;
    if (i < detail::ContextStack::kInlineDepth && s.cleanup_state != 0) [[likely]] {
      new (s.inline_entry(i)) detail::ContextEntry{std::move(context), false};
      s.depth = i + 1;
      index_ = i;
    } else {
      index_ = detail::PushContextSlow(std::move(context));
    }
    stack_ = &s;
  }
  ~Scope() {
    detail::ContextStack& s = detail::t_context_stack;
    const uint32_t i = index_;
    if (i + 1 == s.depth && i < detail::ContextStack::kInlineDepth && stack_ == &s) [[likely]] {
      s.inline_entry(i)->~ContextEntry();
      s.depth = i;
      // Scopes below that ended out of order go with this one.
      if (i != 0 && s.inline_entry(i - 1)->ended) [[unlikely]] detail::PopEndedContexts();
    } else {
      detail::PopContextSlow(stack_, i);
    }
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  detail::ContextStack* stack_;  // the creating thread's
  uint32_t index_;               // this scope's entry in it
};

// Wraps a callable so that, wherever and whenever it runs (a thread pool, an
// executor, a callback), it runs inside `context` — by default the context
// current at the time of wrapping.
template <typename F>
auto Wrap(F&& f, Context context = Context::Current()) {
  return [ctx = std::move(context), fn = std::forward<F>(f)](auto&&... args) mutable
             -> decltype(auto) {
    Scope scope(ctx);
    return std::invoke(fn, std::forward<decltype(args)>(args)...);
  };
}

}  // namespace callpath
