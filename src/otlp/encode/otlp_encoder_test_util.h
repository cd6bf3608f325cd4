// Test spans exercising every field the OTLP encoders write (tests only).
#pragma once

#include <vector>

#include "callpath/span_data.h"

namespace callpath::testing {

inline TraceId FilledTraceId(uint8_t b) {
  std::array<uint8_t, 16> a;
  a.fill(b);
  return TraceId(a);
}
inline SpanId FilledSpanId(uint8_t b) {
  std::array<uint8_t, 8> a;
  a.fill(b);
  return SpanId(a);
}

inline const InstrumentationScope& OrderScope() {
  static const InstrumentationScope s{"shop.order", "1.2"};
  return s;
}
inline const InstrumentationScope& HttpScope() {
  static const InstrumentationScope s{"callpath.http", ""};
  return s;
}

// A server span with a remote parent, tracestate, every attribute type,
// two events, a link, an error status and dropped counts.
inline SpanData RichSpan() {
  TraceState state;
  TraceState::Parse("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", &state);
  SpanData s;
  s.context = SpanContext(FilledTraceId(0xab), FilledSpanId(0x01), TraceFlags{0x03}, false, state);
  s.parent_span_id = FilledSpanId(0x02);
  s.parent_is_remote = true;
  s.name = "GET /orders/{id}";
  s.kind = SpanKind::kServer;
  s.start_time_unix_nano = 1795732690475000000ull;
  s.end_time_unix_nano = 1795732690516276712ull;
  s.attributes = {
      {"http.request.method", std::string("GET")},
      {"http.response.status_code", int64_t{503}},
      {"negative", int64_t{-7}},
      {"ratio", 0.25},
      {"cached", false},
      {"empty", std::string()},
      {"bools", std::vector<bool>{true, false}},
      {"ints", std::vector<int64_t>{1, -2, 300}},
      {"doubles", std::vector<double>{1.5, -0.0}},
      {"strings", std::vector<std::string>{"a", "", "c"}},
      {"none", std::vector<std::string>{}},
  };
  s.dropped_attributes_count = 3;
  SpanEvent ev;
  ev.time_unix_nano = 1795732690500000000ull;
  ev.name = "exception";
  ev.attributes = {{"exception.message", std::string("boom")}};
  ev.dropped_attributes_count = 1;
  s.events.push_back(ev);
  SpanEvent bare;
  bare.name = "retry";
  s.events.push_back(bare);
  s.dropped_events_count = 4;
  SpanLink link;
  TraceState link_state;
  TraceState::Parse("k=v", &link_state);
  link.context = SpanContext(FilledTraceId(0x09), FilledSpanId(0x08), TraceFlags{0x01}, true, link_state);
  link.attributes = {{"link.kind", std::string("follows")}};
  link.dropped_attributes_count = 2;
  s.links.push_back(link);
  s.dropped_links_count = 5;
  s.status_code = SpanStatusCode::kError;
  s.status_message = "upstream unavailable";
  s.scope = &OrderScope();
  return s;
}

// A root internal span with nothing optional set.
inline SpanData PlainSpan(uint8_t id, const InstrumentationScope* scope) {
  SpanData s;
  s.context = SpanContext(FilledTraceId(0x10), FilledSpanId(id), TraceFlags{0x01}, false);
  s.name = "work";
  s.start_time_unix_nano = 10;
  s.end_time_unix_nano = 20;
  s.scope = scope;
  return s;
}

inline Resource TestResource() {
  Resource r;
  r.attributes = {{"service.name", std::string("checkout")},
                  {"service.instance.id", int64_t{7}}};
  return r;
}

}  // namespace callpath::testing
