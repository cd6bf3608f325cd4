#include "callpath/propagation.h"
#include "sdk/propagation/text_util.h"
#include "text/hex.h"

namespace callpath {
namespace {

constexpr std::string_view kTraceHeader = "uber-trace-id";
constexpr std::string_view kBaggagePrefix = "uberctx-";
constexpr uint8_t kJaegerSampled = 0x01;
constexpr uint8_t kJaegerDebug = 0x02;

// {trace-id}:{span-id}:{parent-span-id}:{flags}, each variable-length hex.
std::optional<SpanContext> ParseUberTraceId(std::string_view raw) {
  raw = propagation::TrimOws(raw);
  std::string decoded;
  if (raw.find('%') != std::string_view::npos) {  // some clients encode the ':'
    propagation::AppendPercentDecoded(raw, &decoded);
    raw = decoded;
  }
  std::string_view parts[4];
  size_t n = 0;
  bool too_many = false;
  propagation::ForEachSplit(raw, ':', [&](std::string_view p) {
    if (n == 4) {
      too_many = true;
      return;
    }
    parts[n++] = p;
  });
  if (too_many || n != 4) return std::nullopt;
  TraceId trace_id;
  SpanId span_id, parent_id;
  uint8_t flags = 0;
  if (!text::HexDecodeLeftPadded(parts[0], trace_id.mutable_bytes().data(), TraceId::kSize) ||
      !text::HexDecodeLeftPadded(parts[1], span_id.mutable_bytes().data(), SpanId::kSize) ||
      !text::HexDecodeLeftPadded(parts[2], parent_id.mutable_bytes().data(), SpanId::kSize) ||
      !text::HexDecodeLeftPadded(parts[3], &flags, 1)) {
    return std::nullopt;
  }
  if (!trace_id.IsValid() || !span_id.IsValid()) return std::nullopt;
  uint8_t bits = 0;
  if (flags & kJaegerSampled) bits |= TraceFlags::kSampled;
  if (flags & kJaegerDebug) bits |= TraceFlags::kSampled | kTraceFlagDebug;
  return SpanContext(trace_id, span_id, TraceFlags{bits}, /*remote=*/true);
}

bool HasBaggagePrefix(std::string_view key) noexcept {
  return key.size() > kBaggagePrefix.size() &&
         detail::AsciiIEquals(key.substr(0, kBaggagePrefix.size()), kBaggagePrefix);
}

}  // namespace

std::vector<std::string_view> JaegerPropagator::Fields() const {
  return {kTraceHeader, kBaggagePrefix};
}

void JaegerPropagator::DoInject(const Context& context, TextMapCarrier& carrier) const {
  const SpanContext& span = context.span_context();
  if (span.IsValid()) {
    uint8_t flags = span.IsSampled() ? kJaegerSampled : 0;
    if (span.trace_flags().bits & kTraceFlagDebug) flags |= kJaegerSampled | kJaegerDebug;
    // 32 + ':' + 16 + ":0:" + 2 flag digits
    char value[32 + 1 + 16 + 3 + 2];
    span.trace_id().ToHex(value);
    value[32] = ':';
    span.span_id().ToHex(value + 33);
    std::memcpy(value + 49, ":0:", 3);
    detail::BytesToHex(&flags, 1, value + 52);
    carrier.Set(kTraceHeader, std::string_view(value, sizeof(value)));
  }
  std::string name, encoded;
  for (const Baggage::Entry& e : context.baggage().entries()) {
    if (!propagation::IsToken(e.key)) continue;  // cannot be a field name
    name.assign(kBaggagePrefix);
    name.append(e.key);
    encoded.clear();
    propagation::AppendPercentEncoded(e.value, propagation::IsUnreserved, &encoded);
    carrier.Set(name, encoded);
  }
}

Context JaegerPropagator::DoExtract(const TextMapCarrier& carrier, const Context& base) const {
  Context result = base;
  std::string_view trace = carrier.Get(kTraceHeader);
  if (!trace.empty()) {
    if (auto parent = ParseUberTraceId(trace)) result = result.WithSpanContext(*parent);
  }

  Baggage baggage = base.baggage();
  size_t added = 0;
  for (std::string_view key : carrier.Keys()) {
    if (!HasBaggagePrefix(key)) continue;
    std::string name(key.substr(kBaggagePrefix.size()));
    if (!propagation::IsToken(name)) continue;
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    }
    std::string value;
    propagation::AppendPercentDecoded(propagation::TrimOws(carrier.Get(key)), &value);
    baggage = baggage.Set(name, value);
    // Bounded like W3C baggage, so a flood of fields cannot cost O(n^2).
    if (++added == Baggage::kMaxMembers) break;
  }
  if (added > 0) result = result.WithBaggage(std::move(baggage));
  return result;
}

}  // namespace callpath
