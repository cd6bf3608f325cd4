#include "sdk/trace/span_pool.h"

#include <memory>
#include <vector>

namespace callpath::detail {
namespace {

// Enough for deeply nested spans on one thread; beyond it we fall back to
// new/delete rather than growing without bound.
constexpr size_t kMaxPooled = 128;

struct Pool {
  std::vector<SpanData*> free;
  Pool() { free.reserve(kMaxPooled); }
  ~Pool() {
    for (SpanData* d : free) delete d;
  }
};

Pool& ThreadPool() noexcept {
  thread_local Pool pool;
  return pool;
}

}  // namespace

SpanData* AcquireSpanData() noexcept {
  Pool& pool = ThreadPool();
  if (pool.free.empty()) return new SpanData();
  SpanData* d = pool.free.back();
  pool.free.pop_back();
  return d;
}

void ReleaseSpanData(SpanData* data) noexcept {
  // Clear what the next span would otherwise inherit. Attributes are not
  // cleared here: Span reuses the elements in place (see Span::AttributeSlot)
  // and trims the vector when it ends.
  data->events.clear();
  data->links.clear();
  data->dropped_attributes_count = 0;
  data->dropped_events_count = 0;
  data->dropped_links_count = 0;
  data->status_code = SpanStatusCode::kUnset;
  data->status_message.clear();
  data->parent_span_id = SpanId();
  data->parent_is_remote = false;
  Pool& pool = ThreadPool();
  if (pool.free.size() < kMaxPooled) {
    pool.free.push_back(data);
  } else {
    delete data;
  }
}

}  // namespace callpath::detail
