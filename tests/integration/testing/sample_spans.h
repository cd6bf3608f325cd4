// Hand-built spans covering every field an exporter must carry: a server
// span with a remote parent and a child client span with every attribute
// type, events, a link, tracestate and an error status.
#pragma once

#include <string>
#include <vector>

#include "callpath/span_data.h"

namespace callpath::testing {

inline const InstrumentationScope& SampleScope() {
  static const InstrumentationScope scope{"shop.checkout", "1.2.3"};
  return scope;
}

inline Resource SampleResource() {
  Resource r;
  r.attributes = {{"service.name", std::string("checkout")},
                  {"service.version", std::string("2.0")},
                  {"host.cpus", int64_t{8}}};
  return r;
}

inline std::vector<SpanData> SampleBatch() {
  const TraceId trace = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  TraceState state;
  TraceState::Parse("vendor=abc,other=x1", &state);

  SpanData server;
  server.context = SpanContext(trace, *SpanId::FromHex("00f067aa0ba902b7"), TraceFlags{1}, false, state);
  server.parent_span_id = *SpanId::FromHex("53995c3f42cd8ad8");
  server.parent_is_remote = true;
  server.name = "POST /checkout";
  server.kind = SpanKind::kServer;
  server.start_time_unix_nano = 1735787045000000000ULL;
  server.end_time_unix_nano = 1735787045250000000ULL;
  server.attributes = {{"http.request.method", std::string("POST")},
                       {"http.response.status_code", int64_t{500}}};
  server.status_code = SpanStatusCode::kError;
  server.status_message = "payment failed";
  server.scope = &SampleScope();

  SpanData client;
  client.context = SpanContext(trace, *SpanId::FromHex("b7ad6b7169203331"), TraceFlags{1}, false);
  client.parent_span_id = server.context.span_id();
  client.name = "charge card";
  client.kind = SpanKind::kClient;
  client.start_time_unix_nano = 1735787045010000000ULL;
  client.end_time_unix_nano = 1735787045200000000ULL;
  client.attributes = {{"flag", true},
                       {"count", int64_t{-42}},
                       {"ratio", 0.25},
                       {"note", std::string("multi\nline \"quoted\" \xc3\xa9")},
                       {"bools", std::vector<bool>{true, false}},
                       {"ints", std::vector<int64_t>{1, 2, 3}},
                       {"doubles", std::vector<double>{1.5, -2.5}},
                       {"strings", std::vector<std::string>{"a", "b"}}};
  client.dropped_attributes_count = 2;
  client.events.push_back(SpanEvent{1735787045100000000ULL, "retry",
                                    {{"attempt", int64_t{2}}}, 1});
  client.events.push_back(SpanEvent{1735787045150000000ULL, "exception",
                                    {{"exception.message", std::string("card declined")}}, 0});
  client.dropped_events_count = 3;
  SpanLink link;
  link.context = SpanContext(*TraceId::FromHex("0af7651916cd43dd8448eb211c80319c"),
                             *SpanId::FromHex("00000000000000aa"), TraceFlags{1}, true);
  link.attributes = {{"link.kind", std::string("follows")}};
  client.links.push_back(link);
  client.status_code = SpanStatusCode::kOk;
  client.scope = &SampleScope();
  return {server, client};
}

}  // namespace callpath::testing
