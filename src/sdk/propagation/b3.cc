#include "callpath/propagation.h"
#include "sdk/propagation/text_util.h"

namespace callpath {
namespace {

constexpr std::string_view kSingle = "b3";
constexpr std::string_view kTraceIdHeader = "x-b3-traceid";
constexpr std::string_view kSpanIdHeader = "x-b3-spanid";
constexpr std::string_view kSampledHeader = "x-b3-sampled";
constexpr std::string_view kFlagsHeader = "x-b3-flags";

// 32 lowercase hex digits, or 16 left-padded to 128 bits.
std::optional<TraceId> ParseB3TraceId(std::string_view hex) noexcept {
  if (hex.size() == 32) return TraceId::FromHex(hex);
  if (hex.size() != 16) return std::nullopt;
  TraceId id;
  if (!detail::HexToBytes(hex, id.mutable_bytes().data() + 8, 8)) return std::nullopt;
  return id;
}

std::optional<SpanContext> MakeRemote(std::optional<TraceId> trace_id,
                                      std::optional<SpanId> span_id, uint8_t flags) noexcept {
  if (!trace_id || !span_id || !trace_id->IsValid() || !span_id->IsValid()) return std::nullopt;
  return SpanContext(*trace_id, *span_id, TraceFlags{flags}, /*remote=*/true);
}

// {TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]
std::optional<SpanContext> ParseSingle(std::string_view value) noexcept {
  std::string_view parts[4];
  size_t n = 0;
  bool too_many = false;
  propagation::ForEachSplit(propagation::TrimOws(value), '-', [&](std::string_view p) {
    if (n == 4) {
      too_many = true;
      return;
    }
    parts[n++] = p;
  });
  // A lone sampling state ("b3: 0") names no trace to continue.
  if (too_many || n < 2) return std::nullopt;
  uint8_t flags = 0;
  if (n >= 3) {
    if (parts[2] == "1") {
      flags = TraceFlags::kSampled;
    } else if (parts[2] == "d") {
      flags = TraceFlags::kSampled | kTraceFlagDebug;
    } else if (parts[2] != "0") {
      return std::nullopt;
    }
  }
  if (n == 4 && !SpanId::FromHex(parts[3])) return std::nullopt;  // checked, then unused
  return MakeRemote(ParseB3TraceId(parts[0]), SpanId::FromHex(parts[1]), flags);
}

std::optional<SpanContext> ParseMulti(const TextMapCarrier& carrier) noexcept {
  std::string_view trace_id = propagation::TrimOws(carrier.Get(kTraceIdHeader));
  if (trace_id.empty()) return std::nullopt;
  std::string_view sampled = propagation::TrimOws(carrier.Get(kSampledHeader));
  uint8_t flags = 0;
  if (sampled == "1" || sampled == "true") {
    flags = TraceFlags::kSampled;
  } else if (!sampled.empty() && sampled != "0" && sampled != "false") {
    return std::nullopt;
  }
  if (propagation::TrimOws(carrier.Get(kFlagsHeader)) == "1") {
    flags = TraceFlags::kSampled | kTraceFlagDebug;  // debug implies accept
  }
  return MakeRemote(ParseB3TraceId(trace_id),
                    SpanId::FromHex(propagation::TrimOws(carrier.Get(kSpanIdHeader))), flags);
}

}  // namespace

std::vector<std::string_view> B3Propagator::Fields() const {
  if (encoding_ == Encoding::kSingleHeader) return {kSingle};
  return {kTraceIdHeader, kSpanIdHeader, kSampledHeader, kFlagsHeader};
}

void B3Propagator::DoInject(const Context& context, TextMapCarrier& carrier) const {
  const SpanContext& span = context.span_context();
  if (!span.IsValid()) return;
  const uint8_t bits = span.trace_flags().bits;
  const bool debug = bits & kTraceFlagDebug;
  char trace_id[32], span_id[16];
  span.trace_id().ToHex(trace_id);
  span.span_id().ToHex(span_id);

  if (encoding_ == Encoding::kSingleHeader) {
    char value[32 + 1 + 16 + 2];
    std::memcpy(value, trace_id, 32);
    value[32] = '-';
    std::memcpy(value + 33, span_id, 16);
    value[49] = '-';
    value[50] = debug ? 'd' : (span.IsSampled() ? '1' : '0');
    carrier.Set(kSingle, std::string_view(value, sizeof(value)));
    return;
  }
  carrier.Set(kTraceIdHeader, std::string_view(trace_id, 32));
  carrier.Set(kSpanIdHeader, std::string_view(span_id, 16));
  if (debug) {
    carrier.Set(kFlagsHeader, "1");  // debug implies sampled: no X-B3-Sampled
  } else {
    carrier.Set(kSampledHeader, span.IsSampled() ? "1" : "0");
  }
}

Context B3Propagator::DoExtract(const TextMapCarrier& carrier, const Context& base) const {
  std::optional<SpanContext> parent;
  std::string_view single = carrier.Get(kSingle);
  if (!single.empty()) parent = ParseSingle(single);
  if (!parent) parent = ParseMulti(carrier);
  if (!parent) return base;
  return base.WithSpanContext(*parent);
}

}  // namespace callpath
