#include "callpath/context.h"

#include <cstdlib>

namespace callpath {
namespace detail {

constinit thread_local ContextStack t_context_stack;
constinit const Context kEmptyContext{};

namespace {

// Destroys what is left on the stack when the thread exits (scopes still
// alive in thread-exit code, or abandoned ones) and frees the chunks.
struct StackCleanup {
  ~StackCleanup() {
    ContextStack& s = t_context_stack;
    while (s.depth > 0) s.entry(--s.depth)->~ContextEntry();
    for (uint32_t c = 0; c < s.chunk_count; ++c) {
      ::operator delete(s.chunks[c], std::align_val_t{alignof(ContextEntry)});
    }
    std::free(s.chunks);
    s.chunks = nullptr;
    s.chunk_count = 0;
    s.cleanup_state = 2;  // later scopes still work; what they leave leaks
  }
};

// Makes sure entry `i` has storage; false if memory ran out.
bool Reserve(ContextStack& s, uint32_t i) noexcept {
  if (i < ContextStack::kInlineDepth) return true;
  const uint32_t chunk = (i - ContextStack::kInlineDepth) / ContextStack::kChunkDepth;
  if (chunk < s.chunk_count) return true;
  auto* chunks =
      static_cast<ContextEntry**>(std::realloc(s.chunks, (chunk + 1) * sizeof(ContextEntry*)));
  if (chunks == nullptr) return false;
  s.chunks = chunks;
  void* mem = ::operator new(ContextStack::kChunkDepth * sizeof(ContextEntry),
                             std::align_val_t{alignof(ContextEntry)}, std::nothrow);
  if (mem == nullptr) return false;
  s.chunks[chunk] = static_cast<ContextEntry*>(mem);
  s.chunk_count = chunk + 1;
  return true;
}

}  // namespace

uint32_t PushContextSlow(Context&& context) noexcept {
  ContextStack& s = t_context_stack;
  if (s.cleanup_state == 0) {
    thread_local StackCleanup cleanup;
    (void)cleanup;
    s.cleanup_state = 1;
  }
  const uint32_t i = s.depth;
  if (!Reserve(s, i)) return UINT32_MAX;  // out of memory: the scope does nothing
  new (s.entry(i)) ContextEntry{std::move(context), false};
  s.depth = i + 1;
  return i;
}

void PopEndedContexts() noexcept {
  ContextStack& s = t_context_stack;
  while (s.depth > 0 && s.entry(s.depth - 1)->ended) s.entry(--s.depth)->~ContextEntry();
}

void PopContextSlow(ContextStack* owner, uint32_t index) noexcept {
  ContextStack& s = t_context_stack;
  // Destroyed on another thread, or the push failed: nothing of ours to
  // restore. (The owner's entry is abandoned; touching another thread's
  // stack would race with it.)
  if (owner != &s || index >= s.depth) return;
  if (index + 1 < s.depth) {
    // Not innermost: leave the scopes above active; this entry goes when
    // they do.
    s.entry(index)->ended = true;
    return;
  }
  s.entry(index)->~ContextEntry();
  s.depth = index;
  PopEndedContexts();
}

}  // namespace detail
}  // namespace callpath
