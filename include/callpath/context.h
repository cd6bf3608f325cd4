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
struct ContextStack;
}

// Makes `context` current on this thread until destroyed. Not movable: a
// Scope lives on the stack of the code that activated it.
class [[nodiscard]] Scope {
 public:
  explicit Scope(Context context) noexcept;
  ~Scope();
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

// The inline hot paths of Context::Current and Scope.
#include "callpath/detail/context_stack.h"
