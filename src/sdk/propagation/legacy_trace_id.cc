#include "callpath/propagation.h"
#include "sdk/propagation/text_util.h"

namespace callpath {
namespace {

// 32 hex digits in any case, the same as a UUID (8-4-4-4-12), or 16 hex
// digits for a 64-bit id.
std::optional<TraceId> ParseLegacyTraceId(std::string_view value) noexcept {
  value = propagation::TrimOws(value);
  TraceId id;
  uint8_t* bytes = id.mutable_bytes().data();
  bool ok = false;
  if (value.size() == 32) {
    ok = detail::HexToBytesAnyCase(value, bytes, 16);
  } else if (value.size() == 16) {
    ok = detail::HexToBytesAnyCase(value, bytes + 8, 8);
  } else if (value.size() == 36 && value[8] == '-' && value[13] == '-' && value[18] == '-' &&
             value[23] == '-') {
    char hex[32];
    size_t n = 0;
    for (char c : value) {
      if (c != '-') hex[n++] = c;
    }
    ok = n == 32 && detail::HexToBytesAnyCase(std::string_view(hex, 32), bytes, 16);
  }
  if (!ok || !id.IsValid()) return std::nullopt;
  return id;
}

// A span id that is a fixed function of the trace id (SplitMix64 finaliser
// over its two halves), never zero.
SpanId ParentIdFor(const TraceId& trace_id) noexcept {
  uint64_t hi = 0, lo = 0;
  std::memcpy(&hi, trace_id.bytes().data(), 8);
  std::memcpy(&lo, trace_id.bytes().data() + 8, 8);
  uint64_t z = hi ^ (lo * 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  if (z == 0) z = 1;
  SpanId id;
  std::memcpy(id.mutable_bytes().data(), &z, 8);
  return id;
}

}  // namespace

LegacyTraceIdPropagator::LegacyTraceIdPropagator(std::string header) : header_(std::move(header)) {
  // Sent lowercase, as HTTP/2 requires; received in any case.
  for (char& c : header_) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
}

std::vector<std::string_view> LegacyTraceIdPropagator::Fields() const { return {header_}; }

void LegacyTraceIdPropagator::DoInject(const Context& context, TextMapCarrier& carrier) const {
  const SpanContext& span = context.span_context();
  if (!span.IsValid() || header_.empty()) return;
  char hex[TraceId::kHexSize];
  span.trace_id().ToHex(hex);
  carrier.Set(header_, std::string_view(hex, sizeof(hex)));
}

Context LegacyTraceIdPropagator::DoExtract(const TextMapCarrier& carrier,
                                          const Context& base) const {
  if (header_.empty()) return base;
  std::optional<TraceId> trace_id = ParseLegacyTraceId(carrier.Get(header_));
  if (!trace_id) return base;
  const SpanContext& known = base.span_context();
  if (known.IsValid() && known.trace_id() == *trace_id) return base;  // a richer format won
  return base.WithSpanContext(SpanContext(*trace_id, ParentIdFor(*trace_id),
                                          TraceFlags{TraceFlags::kSampled}, /*remote=*/true));
}

}  // namespace callpath
