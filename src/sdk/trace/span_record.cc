#include "sdk/trace/span_record.h"

#include <cstring>
#include <new>
#include <string>

#include "sdk/small_string.h"

namespace callpath::detail {
namespace {

struct Fixed {
  uint8_t trace_id[16];
  uint8_t span_id[8];
  uint8_t parent_span_id[8];
  uint64_t start_time_unix_nano;
  uint64_t end_time_unix_nano;
  const InstrumentationScope* scope;
  uint32_t dropped_attributes_count;
  uint32_t attribute_count;
  uint32_t name_size;
  uint32_t status_message_size;
  uint8_t flags;
  uint8_t remote;
  uint8_t parent_is_remote;
  uint8_t kind;
  uint8_t status_code;
  uint8_t has_trace_state;
  uint8_t unused[2];
};
static_assert(sizeof(Fixed) % kRecordAlign == 0);
static_assert(alignof(TraceState) <= kRecordAlign && sizeof(TraceState) % kRecordAlign == 0);

// Attribute value tags: the AttributeValue index of the encodable types.
enum : uint8_t { kBool = 0, kInt = 1, kDouble = 2, kString = 3 };
static_assert(std::is_same_v<std::variant_alternative_t<kBool, AttributeValue>, bool>);
static_assert(std::is_same_v<std::variant_alternative_t<kInt, AttributeValue>, int64_t>);
static_assert(std::is_same_v<std::variant_alternative_t<kDouble, AttributeValue>, double>);
static_assert(std::is_same_v<std::variant_alternative_t<kString, AttributeValue>, std::string>);

constexpr size_t RoundUp(size_t n) noexcept { return (n + kRecordAlign - 1) & ~(kRecordAlign - 1); }

size_t TraceStateOffset() noexcept { return sizeof(Fixed); }

std::byte* Put(std::byte* p, const void* src, size_t n) noexcept {
  CopyBytes(p, src, n);
  return p + n;
}

template <typename T>
std::byte* PutValue(std::byte* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
  return p + sizeof v;
}

template <typename T>
const std::byte* Get(const std::byte* p, T& v) noexcept {
  std::memcpy(&v, p, sizeof v);
  return p + sizeof v;
}

}  // namespace

size_t EncodedSpanSize(const SpanData& span) noexcept {
  if (!span.events.empty() || !span.links.empty()) return 0;
  size_t n = sizeof(Fixed) + span.name.size() + span.status_message.size();
  if (!span.context.trace_state().empty()) n += sizeof(TraceState);
  for (const Attribute& a : span.attributes) {
    n += 1 + sizeof(uint32_t) + a.key.size();
    switch (a.value.index()) {
      case kBool: n += 1; break;
      case kInt:
      case kDouble: n += 8; break;
      case kString: n += sizeof(uint32_t) + std::get<kString>(a.value).size(); break;
      default: return 0;  // arrays: pointer hand-off
    }
  }
  // Lengths are stored as 32 bits.
  if (n > UINT32_MAX / 2) return 0;
  return RoundUp(n);
}

void EncodeSpan(const SpanData& span, std::byte* out) noexcept {
  // Fields are stored straight into the record: building the header on the
  // stack and copying it would read back, as 16-byte words, bytes just
  // written one field at a time (a store-forwarding stall per span).
  auto& f = *new (out) Fixed;
  std::memcpy(f.trace_id, span.context.trace_id().bytes().data(), 16);
  std::memcpy(f.span_id, span.context.span_id().bytes().data(), 8);
  std::memcpy(f.parent_span_id, span.parent_span_id.bytes().data(), 8);
  f.start_time_unix_nano = span.start_time_unix_nano;
  f.end_time_unix_nano = span.end_time_unix_nano;
  f.scope = span.scope;
  f.dropped_attributes_count = span.dropped_attributes_count;
  f.attribute_count = static_cast<uint32_t>(span.attributes.size());
  f.name_size = static_cast<uint32_t>(span.name.size());
  f.status_message_size = static_cast<uint32_t>(span.status_message.size());
  f.flags = span.context.trace_flags().bits;
  f.remote = span.context.IsRemote();
  f.parent_is_remote = span.parent_is_remote;
  f.kind = static_cast<uint8_t>(span.kind);
  f.status_code = static_cast<uint8_t>(span.status_code);
  f.has_trace_state = !span.context.trace_state().empty();
  f.unused[0] = f.unused[1] = 0;
  std::byte* p = out + sizeof(Fixed);
  if (f.has_trace_state) {
    new (p) TraceState(span.context.trace_state());
    p += sizeof(TraceState);
  }
  p = Put(p, span.name.data(), span.name.size());
  p = Put(p, span.status_message.data(), span.status_message.size());
  for (const Attribute& a : span.attributes) {
    const auto type = static_cast<uint8_t>(a.value.index());
    p = PutValue(p, type);
    p = PutValue(p, static_cast<uint32_t>(a.key.size()));
    p = Put(p, a.key.data(), a.key.size());
    switch (type) {
      case kBool: p = PutValue(p, static_cast<uint8_t>(std::get<kBool>(a.value))); break;
      case kInt: p = PutValue(p, std::get<kInt>(a.value)); break;
      case kDouble: p = PutValue(p, std::get<kDouble>(a.value)); break;
      default: {
        const std::string& s = std::get<kString>(a.value);
        p = PutValue(p, static_cast<uint32_t>(s.size()));
        p = Put(p, s.data(), s.size());
      }
    }
  }
}

void DecodeSpan(std::byte* record, SpanData& out) noexcept {
  Fixed f;
  std::memcpy(&f, record, sizeof f);
  const std::byte* p = record + sizeof f;
  TraceState trace_state;
  if (f.has_trace_state) {
    auto* ts = std::launder(reinterpret_cast<TraceState*>(record + TraceStateOffset()));
    trace_state = std::move(*ts);
    ts->~TraceState();
    p += sizeof(TraceState);
  }
  out.context = SpanContext(TraceId(f.trace_id), SpanId(f.span_id), TraceFlags{f.flags},
                            f.remote != 0, std::move(trace_state));
  out.parent_span_id = SpanId(f.parent_span_id);
  out.parent_is_remote = f.parent_is_remote != 0;
  out.kind = static_cast<SpanKind>(f.kind);
  out.start_time_unix_nano = f.start_time_unix_nano;
  out.end_time_unix_nano = f.end_time_unix_nano;
  out.scope = f.scope;
  out.dropped_attributes_count = f.dropped_attributes_count;
  out.status_code = static_cast<SpanStatusCode>(f.status_code);
  out.events.clear();
  out.dropped_events_count = 0;
  out.links.clear();
  out.dropped_links_count = 0;
  AssignReused(out.name, {reinterpret_cast<const char*>(p), f.name_size});
  p += f.name_size;
  AssignReused(out.status_message, {reinterpret_cast<const char*>(p), f.status_message_size});
  p += f.status_message_size;
  out.attributes.resize(f.attribute_count);
  for (Attribute& a : out.attributes) {
    uint8_t type;
    uint32_t key_size;
    p = Get(p, type);
    p = Get(p, key_size);
    AssignReused(a.key, {reinterpret_cast<const char*>(p), key_size});
    p += key_size;
    switch (type) {
      case kBool: {
        uint8_t v;
        p = Get(p, v);
        a.value = v != 0;
        break;
      }
      case kInt: {
        int64_t v;
        p = Get(p, v);
        a.value = v;
        break;
      }
      case kDouble: {
        double v;
        p = Get(p, v);
        a.value = v;
        break;
      }
      default: {
        uint32_t size;
        p = Get(p, size);
        const char* s = reinterpret_cast<const char*>(p);
        if (auto* str = std::get_if<std::string>(&a.value)) {
          AssignReused(*str, {s, size});  // keeps the capacity of the previous batch
        } else {
          a.value.emplace<std::string>(s, size);
        }
        p += size;
      }
    }
  }
}

void DiscardEncodedSpan(std::byte* record) noexcept {
  Fixed f;
  std::memcpy(&f, record, sizeof f);
  if (f.has_trace_state) {
    std::launder(reinterpret_cast<TraceState*>(record + TraceStateOffset()))->~TraceState();
  }
}

}  // namespace callpath::detail
