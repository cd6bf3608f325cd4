#include "callpath/log/logger.h"

#include <sched.h>

#include <cstdlib>
#include <cstring>

#include "callpath/log/options.h"
#include "log/backend.h"
#include "log/field_codec.h"
#include "log/logger_state.h"
#include "log/queued_record.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace callpath::log {
namespace {

// The global level lives in detail::g_hot, constant-initialised to kInfo so
// loggers used during static initialisation see a sane level; the
// environment is applied right after.
std::atomic<uint8_t>& g_level = detail::g_hot.level;

const bool g_level_from_env = [] {
  if (const char* v = std::getenv("CALLPATH_LOG_LEVEL")) {
    if (auto l = ParseLevel(v)) g_level.store(static_cast<uint8_t>(*l));
  }
  return true;
}();

void CpuRelax() noexcept {
#if defined(__x86_64__)
  _mm_pause();
#endif
}

}  // namespace

[[gnu::hot]] uint8_t Logger::GlobalLevel() noexcept { return g_level.load(std::memory_order_relaxed); }

void SetLevel(Level level) noexcept { g_level.store(static_cast<uint8_t>(level)); }

Logger::Logger(std::string_view name) {
  auto state = std::make_shared<detail::LoggerState>();
  state->name = std::string(name);
  own_level_ = &state->level;
  state_ = std::move(state);
}

Logger::Logger(std::shared_ptr<const detail::LoggerState> state)
    : state_(std::move(state)), own_level_(&state_->level) {}

Logger Logger::With(std::initializer_list<Field> fields) const {
  auto child = std::make_shared<detail::LoggerState>(*state_);
  size_t bytes = 0;
  for (const Field& f : fields) bytes += detail::EncodedSize(f);
  size_t at = child->bound.size();
  child->bound.resize(at + bytes);
  char* out = child->bound.data() + at;
  for (const Field& f : fields) out = detail::EncodeField(f, out);
  child->bound_count += static_cast<uint32_t>(fields.size());
  return Logger(std::move(child));
}

Logger Logger::WithContext(const Context& context) const {
  auto child = std::make_shared<detail::LoggerState>(*state_);
  const SpanContext& sc = context.span_context();
  child->has_context = true;
  std::memcpy(child->trace_id, sc.trace_id().bytes().data(), 16);
  std::memcpy(child->span_id, sc.span_id().bytes().data(), 8);
  child->trace_flags = sc.trace_flags().bits;
  return Logger(std::move(child));
}

Logger Logger::Named(std::string_view suffix) const {
  auto child = std::make_shared<detail::LoggerState>(*state_);
  if (!child->name.empty() && !suffix.empty()) child->name += '.';
  child->name += suffix;
  return Logger(std::move(child));
}

std::string_view Logger::name() const noexcept { return state_->name; }

void Logger::set_level(Level level) noexcept {
  own_level_->store(static_cast<uint8_t>(level), std::memory_order_relaxed);
}

Level Logger::level() const noexcept {
  uint8_t own = own_level_->load(std::memory_order_relaxed);
  return static_cast<Level>(own == kFollowGlobal ? GlobalLevel() : own);
}

// Hot: see field_codec.h.
[[gnu::hot]] void Logger::Emit(Level level, const Msg& m, const Field* const* fields, size_t n,
                  const Field* list) const noexcept {
  using detail::Backend;
  detail::Ring* ring = Backend::ThreadRing();
  if (!ring) {
    Backend::Get().CountOrphanDrop();
    return;
  }
  const uint64_t ticks = detail::Ticks();
  const detail::LoggerState& st = *state_;
  const std::string_view msg = m.text();

  size_t field_bytes = st.bound.size();
  for (size_t i = 0; i < n; ++i) field_bytes += detail::EncodedSize(list ? list[i] : *fields[i]);
  const size_t head = sizeof(detail::QueuedHeader) + st.name.size() + msg.size();
  const size_t total = detail::Align8(head + field_bytes);
  if (total > ring->max_record()) {
    ring->CountDrop();
    return;
  }
  char* p = ring->Reserve(total);
  if (!p) {
    Backend::Get().Wake();
    if (!Backend::block_when_full()) {
      ring->CountDrop();
      return;
    }
    for (int spins = 0; !(p = ring->Reserve(total)); ++spins) {
      if (!Backend::running()) {
        ring->CountDrop();
        return;
      }
      if (spins < 64) {
        CpuRelax();
      } else {
        sched_yield();
      }
    }
  }

  auto* h = reinterpret_cast<detail::QueuedHeader*>(p);
  h->size = static_cast<uint32_t>(total);
  h->kind = detail::kRecordKind;
  h->level = static_cast<uint8_t>(level);
  h->reserved = 0;
  h->ticks = ticks;
  h->file = m.file();
  h->line = m.line();
  h->message_size = static_cast<uint32_t>(msg.size());
  h->name_size = static_cast<uint32_t>(st.name.size());
  h->field_count = st.bound_count + static_cast<uint32_t>(n);
  if (st.has_context) {
    std::memcpy(h->trace_id, st.trace_id, 16);
    std::memcpy(h->span_id, st.span_id, 8);
    h->trace_flags = st.trace_flags;
  } else {
    const SpanContext& sc = Context::Current().span_context();
    std::memcpy(h->trace_id, sc.trace_id().bytes().data(), 16);
    std::memcpy(h->span_id, sc.span_id().bytes().data(), 8);
    h->trace_flags = sc.trace_flags().bits;
  }
  char* out = p + sizeof(detail::QueuedHeader);
  auto copy = [&out](const char* p, size_t n) {
    if (n) std::memcpy(out, p, n);  // p may be null when n is 0
    out += n;
  };
  copy(st.name.data(), st.name.size());
  copy(msg.data(), msg.size());
  copy(st.bound.data(), st.bound.size());
  for (size_t i = 0; i < n; ++i) out = detail::EncodeField(list ? list[i] : *fields[i], out);
  ring->Commit(total);
  ring->CountEnqueued();
  if (ring->PastHalf()) Backend::Get().Wake();
  if (level == Level::kFatal) Backend::Get().Flush();
}

const Logger& Default() {
  static const Logger* const logger = new Logger();
  return *logger;
}

Status Init(Options options) { return detail::Backend::Get().Init(std::move(options)); }
void Flush() noexcept { detail::Backend::Get().Flush(); }
void Shutdown() noexcept { detail::Backend::Get().Shutdown(); }
Stats GetStats() noexcept { return detail::Backend::Get().GetStats(); }

}  // namespace callpath::log
