#include <cstring>
#include <ctime>
#include <typeinfo>

#include <cxxabi.h>

#include "callpath/trace.h"
#include "sdk/clock.h"
#include "sdk/small_string.h"
#include "sdk/trace/span_pool.h"
#include "sdk/trace/tracer_state.h"

namespace callpath {

uint64_t NowUnixNano() noexcept { return detail::FastNowUnixNano(); }

namespace {

// Cuts a string to `limit` bytes without splitting a UTF-8 sequence.
void Truncate(std::string& s, uint32_t limit) {
  if (s.size() <= limit) return;
  size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
}

void ApplyLength(AttributeValue& v, uint32_t limit) {
  if (limit == UINT32_MAX) return;
  if (auto* s = std::get_if<std::string>(&v)) {
    Truncate(*s, limit);
  } else if (auto* a = std::get_if<std::vector<std::string>>(&v)) {
    for (auto& e : *a) Truncate(e, limit);
  }
}

// Appends attributes up to `max`, counting the rest as dropped.
void AppendLimited(std::vector<Attribute>& out, KeyValues kvs, uint32_t max, uint32_t value_limit,
                   uint32_t& dropped) {
  for (const KeyValue& kv : kvs) {
    if (out.size() >= max) {
      ++dropped;
      continue;
    }
    AttrValue v = kv.value;
    out.push_back(Attribute{std::string(kv.key), std::move(v).get()});
    ApplyLength(out.back().value, value_limit);
  }
}

std::string Demangle(const char* name) {
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || out == nullptr) return name;
  std::string s(out);
  std::free(out);
  return s;
}

}  // namespace

Span::Span(Span&& other) noexcept
    : context_(std::move(other.context_)),
      data_(other.data_),
      tracer_(other.tracer_),
      live_attributes_(other.live_attributes_),
      key_bits_(other.key_bits_) {
  other.data_ = nullptr;
}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    End();
    context_ = std::move(other.context_);
    data_ = other.data_;
    tracer_ = other.tracer_;
    live_attributes_ = other.live_attributes_;
    key_bits_ = other.key_bits_;
    other.data_ = nullptr;
  }
  return *this;
}

Scope Span::Activate() const noexcept { return Scope(ToContext()); }

Context Span::ToContext() const { return Context::Current().WithSpanContext(context_); }

namespace {

// Semantic-convention keys differ in length or last byte far more often than
// not, so this filter lets a span with a dozen attributes skip nearly every
// duplicate-key scan.
uint64_t KeyBit(std::string_view key) noexcept {
  const unsigned last = key.empty() ? 0u : static_cast<unsigned char>(key.back());
  return uint64_t{1} << ((key.size() * 7u + last) & 63u);
}

}  // namespace

Attribute* Span::AttributeSlot(std::string_view key) noexcept {
  auto& attrs = data_->attributes;
  const uint32_t live = live_attributes_;
  const uint64_t bit = KeyBit(key);
  if ((key_bits_ & bit) != 0) {
    for (uint32_t i = 0; i < live; ++i) {
      const std::string& k = attrs[i].key;
      if (k.size() == key.size() && std::memcmp(k.data(), key.data(), key.size()) == 0) {
        return &attrs[i];
      }
    }
  }
  if (live >= tracer_->core->limits.attribute_count) [[unlikely]] {
    ++data_->dropped_attributes_count;
    return nullptr;
  }
  // Reuse an element left by an earlier span on this SpanData: its key and
  // value keep their heap capacity, so steady-state spans do not allocate.
  if (live == attrs.size()) attrs.emplace_back();
  Attribute* slot = &attrs[live];
  live_attributes_ = live + 1;
  key_bits_ |= bit;
  detail::AssignReused(slot->key, key);
  return slot;
}

void Span::SetString(std::string_view key, std::string_view value) noexcept {
  if (Attribute* a = AttributeSlot(key)) {
    if (auto* s = std::get_if<std::string>(&a->value)) {
      detail::AssignReused(*s, value);
    } else {
      a->value.emplace<std::string>(value);
    }
    const uint32_t limit = tracer_->core->limits.attribute_value_length;
    if (value.size() > limit) [[unlikely]] ApplyLength(a->value, limit);
  }
}

void Span::SetBool(std::string_view key, bool value) noexcept {
  if (Attribute* a = AttributeSlot(key)) a->value = value;
}

void Span::SetInt(std::string_view key, int64_t value) noexcept {
  if (Attribute* a = AttributeSlot(key)) a->value = value;
}

void Span::SetDouble(std::string_view key, double value) noexcept {
  if (Attribute* a = AttributeSlot(key)) a->value = value;
}

void Span::SetValue(std::string_view key, AttrValue value) noexcept {
  if (Attribute* a = AttributeSlot(key)) {
    a->value = std::move(value).get();
    ApplyLength(a->value, tracer_->core->limits.attribute_value_length);
  }
}

Span& Span::AddEvent(std::string_view name, KeyValues attributes,
                     uint64_t time_unix_nano) noexcept {
  if (data_ == nullptr) return *this;
  const SpanLimits& limits = tracer_->core->limits;
  if (data_->events.size() >= limits.event_count) {
    ++data_->dropped_events_count;
    return *this;
  }
  SpanEvent& e = data_->events.emplace_back();
  e.time_unix_nano = time_unix_nano != 0 ? time_unix_nano : NowUnixNano();
  e.name.assign(name.data(), name.size());
  AppendLimited(e.attributes, attributes, limits.event_attribute_count,
                limits.attribute_value_length, e.dropped_attributes_count);
  return *this;
}

Span& Span::RecordException(const std::exception& e) noexcept {
  if (data_ == nullptr) return *this;
  return RecordException(Demangle(typeid(e).name()), e.what());
}

Span& Span::RecordException(std::string_view type, std::string_view message,
                            std::string_view stacktrace) noexcept {
  if (data_ == nullptr) return *this;
  if (stacktrace.empty()) {
    return AddEvent("exception", {{"exception.type", type}, {"exception.message", message}});
  }
  return AddEvent("exception", {{"exception.type", type},
                                {"exception.message", message},
                                {"exception.stacktrace", stacktrace}});
}

Span& Span::AddLink(const SpanContext& linked, KeyValues attributes) noexcept {
  if (data_ == nullptr || !linked.IsValid()) return *this;
  const SpanLimits& limits = tracer_->core->limits;
  if (data_->links.size() >= limits.link_count) {
    ++data_->dropped_links_count;
    return *this;
  }
  SpanLink& l = data_->links.emplace_back();
  l.context = linked;
  AppendLimited(l.attributes, attributes, limits.link_attribute_count,
                limits.attribute_value_length, l.dropped_attributes_count);
  return *this;
}

Span& Span::SetStatus(SpanStatusCode code, std::string_view message) noexcept {
  if (data_ == nullptr || code == SpanStatusCode::kUnset) return *this;
  if (data_->status_code == SpanStatusCode::kOk) return *this;  // Ok is final
  data_->status_code = code;
  if (code == SpanStatusCode::kError) {
    data_->status_message.assign(message.data(), message.size());
  } else {
    data_->status_message.clear();
  }
  return *this;
}

Span& Span::UpdateName(std::string_view name) noexcept {
  if (data_ != nullptr) data_->name.assign(name.data(), name.size());
  return *this;
}

void Span::Finish(uint64_t end_time_unix_nano) noexcept {
  const uint64_t ticks = end_time_unix_nano == 0 ? detail::ReadTicks() : 0;
  SpanData* data = data_;
  data_ = nullptr;
  if (data->attributes.size() > live_attributes_) data->attributes.resize(live_attributes_);
  live_attributes_ = 0;
  key_bits_ = 0;
  const uint64_t end =
      end_time_unix_nano != 0 ? end_time_unix_nano : detail::TicksToUnixNano(ticks);
  data->end_time_unix_nano = end < data->start_time_unix_nano ? data->start_time_unix_nano : end;
  auto& processors = tracer_->core->processors;
  std::unique_ptr<SpanData> owned(data);
  // Every processor but the last gets a copy; the last may keep the object
  // and hand back another to recycle (the batch processor does).
  for (size_t i = 0; i + 1 < processors.size(); ++i) {
    auto copy = std::make_unique<SpanData>(*owned);
    processors[i]->OnEnd(copy);
  }
  if (!processors.empty()) processors.back()->OnEnd(owned);
  if (owned) detail::ReleaseSpanData(owned.release());
}

}  // namespace callpath
