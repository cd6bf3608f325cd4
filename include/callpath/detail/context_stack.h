// The thread's stack of active contexts behind Context::Current and Scope:
// the inline hot paths (a push and a pop are a few instructions) and the
// out-of-line slow paths they fall back to. Implementation detail of
// callpath/context.h; include that instead.
#pragma once

#include <cstdint>
#include <new>

#include "callpath/context.h"

namespace callpath {

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

inline Scope::Scope(Context context) noexcept {
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

inline Scope::~Scope() {
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

}  // namespace callpath
