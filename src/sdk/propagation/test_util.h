// Helpers for the propagation tests.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "callpath/propagation.h"

namespace callpath::testing {

using Headers = HeaderMapCarrier::Headers;

inline constexpr std::string_view kTraceHex = "4bf92f3577b34da6a3ce929d0e0e4736";
inline constexpr std::string_view kSpanHex = "00f067aa0ba902b7";

inline SpanContext MakeSpan(std::string_view trace_hex = kTraceHex,
                            std::string_view span_hex = kSpanHex, uint8_t flags = 0x01,
                            bool remote = false, TraceState state = {}) {
  auto trace = TraceId::FromHex(trace_hex);
  auto span = SpanId::FromHex(span_hex);
  EXPECT_TRUE(trace && span) << trace_hex << " " << span_hex;
  return SpanContext(trace.value_or(TraceId()), span.value_or(SpanId()), TraceFlags{flags},
                     remote, std::move(state));
}

inline Context ExtractFrom(const TextMapPropagator& p, const Headers& headers,
                           const Context& base = {}) {
  HeaderMapCarrier carrier(headers);
  return p.Extract(carrier, base);
}

inline Headers InjectInto(const TextMapPropagator& p, const Context& context) {
  Headers headers;
  HeaderMapCarrier carrier(headers);
  p.Inject(context, carrier);
  return headers;
}

}  // namespace callpath::testing
