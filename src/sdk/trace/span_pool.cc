#include "sdk/trace/span_pool.h"

namespace callpath::detail {
namespace {

// Enough for deeply nested spans on one thread; beyond it we fall back to
// new/delete rather than growing without bound.
constexpr uint32_t kMaxPooled = 64;

// Constant-initialised and trivially destructible, so the hot path reads it
// without a TLS guard; the objects are freed at thread exit by PoolCleanup,
// registered the first time the pool keeps one.
struct Pool {
  uint32_t size = 0;
  uint8_t cleanup_state = 0;  // 0: none yet, 1: registered, 2: thread exiting
  SpanData* free[kMaxPooled] = {};
};
constinit thread_local Pool t_pool [[gnu::tls_model("initial-exec")]];

struct PoolCleanup {
  ~PoolCleanup() {
    Pool& pool = t_pool;
    while (pool.size > 0) delete pool.free[--pool.size];
    pool.cleanup_state = 2;
  }
};

[[gnu::cold, gnu::noinline]] void RegisterCleanup(Pool& pool) noexcept {
  thread_local PoolCleanup cleanup;
  (void)cleanup;
  pool.cleanup_state = 1;
}

}  // namespace

SpanData* AcquireSpanData() noexcept {
  Pool& pool = t_pool;
  if (pool.size == 0) return new SpanData();
  return pool.free[--pool.size];
}

void ReleaseSpanData(SpanData* data) noexcept {
  Pool& pool = t_pool;
  if (pool.cleanup_state != 1 || pool.size == kMaxPooled) [[unlikely]] {
    if (pool.cleanup_state == 0) RegisterCleanup(pool);
    if (pool.cleanup_state != 1 || pool.size == kMaxPooled) {
      delete data;
      return;
    }
  }
  // Clear what the next span would otherwise inherit. Attributes are not
  // cleared here: Span reuses the elements in place (see Span::AttributeSlot)
  // and trims the vector when it ends.
  if (!data->events.empty()) data->events.clear();
  if (!data->links.empty()) data->links.clear();
  data->dropped_attributes_count = 0;
  data->dropped_events_count = 0;
  data->dropped_links_count = 0;
  data->status_code = SpanStatusCode::kUnset;
  data->status_message.clear();
  pool.free[pool.size++] = data;
}

}  // namespace callpath::detail
