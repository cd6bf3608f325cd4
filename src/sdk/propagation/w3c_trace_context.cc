#include "callpath/propagation.h"
#include "sdk/propagation/text_util.h"

namespace callpath {
namespace {

constexpr std::string_view kTraceparent = "traceparent";
constexpr std::string_view kTracestate = "tracestate";
// Flags this implementation knows (Level 2); others are not passed on.
constexpr uint8_t kKnownFlags = TraceFlags::kSampled | TraceFlags::kRandomTraceId;

bool ParseHexByte(std::string_view two, uint8_t* out) noexcept {
  return detail::HexToBytes(two, out, 1);
}

}  // namespace

std::optional<SpanContext> ParseTraceparent(std::string_view value) noexcept {
  value = propagation::TrimOws(value);
  if (value.size() < kTraceparentSize) return std::nullopt;
  uint8_t version = 0;
  if (!ParseHexByte(value.substr(0, 2), &version) || value[2] != '-') return std::nullopt;
  if (version == 0xff) return std::nullopt;
  // Version 00 has exactly four fields; a later version may append fields,
  // which must start with '-' and which we do not understand.
  if (version == 0 && value.size() != kTraceparentSize) return std::nullopt;
  if (value.size() > kTraceparentSize && value[kTraceparentSize] != '-') return std::nullopt;
  if (value[35] != '-' || value[52] != '-') return std::nullopt;

  auto trace_id = TraceId::FromHex(value.substr(3, 32));
  auto span_id = SpanId::FromHex(value.substr(36, 16));
  uint8_t flags = 0;
  if (!trace_id || !span_id || !ParseHexByte(value.substr(53, 2), &flags)) return std::nullopt;
  if (!trace_id->IsValid() || !span_id->IsValid()) return std::nullopt;
  return SpanContext(*trace_id, *span_id, TraceFlags{static_cast<uint8_t>(flags & kKnownFlags)},
                     /*remote=*/true);
}

void FormatTraceparent(const SpanContext& span, char (&out)[kTraceparentSize]) noexcept {
  out[0] = '0';
  out[1] = '0';
  out[2] = '-';
  span.trace_id().ToHex(out + 3);
  out[35] = '-';
  span.span_id().ToHex(out + 36);
  out[52] = '-';
  const uint8_t flags = span.trace_flags().bits & kKnownFlags;
  detail::BytesToHex(&flags, 1, out + 53);
}

std::vector<std::string_view> W3CTraceContextPropagator::Fields() const {
  return {kTraceparent, kTracestate};
}

void W3CTraceContextPropagator::DoInject(const Context& context, TextMapCarrier& carrier) const {
  const SpanContext& span = context.span_context();
  if (!span.IsValid()) return;
  char traceparent[kTraceparentSize];
  FormatTraceparent(span, traceparent);
  carrier.Set(kTraceparent, std::string_view(traceparent, kTraceparentSize));
  if (!span.trace_state().empty()) carrier.Set(kTracestate, span.trace_state().ToHeader());
}

Context W3CTraceContextPropagator::DoExtract(const TextMapCarrier& carrier,
                                            const Context& base) const {
  std::string_view traceparent = carrier.Get(kTraceparent);
  if (traceparent.empty() || carrier.Count(kTraceparent) > 1) return base;
  std::optional<SpanContext> parent = ParseTraceparent(traceparent);
  if (!parent) return base;  // and tracestate is not even looked at

  TraceState state;
  // An invalid tracestate is dropped whole; the trace itself continues.
  (void)TraceState::Parse(carrier.GetJoined(kTracestate), &state);
  return base.WithSpanContext(SpanContext(parent->trace_id(), parent->span_id(),
                                          parent->trace_flags(), /*remote=*/true,
                                          std::move(state)));
}

}  // namespace callpath
