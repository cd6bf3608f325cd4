#include "sdk/trace/span_ring.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sdk/trace/span_record.h"

namespace callpath::detail {
namespace {

std::unique_ptr<SpanData> MakeSpan(int i, size_t name_size = 8) {
  auto d = std::make_unique<SpanData>();
  d->context = SpanContext(NewTraceId(), NewSpanId(), TraceFlags{0x01}, false);
  d->name = std::to_string(i);
  d->name.resize(name_size, 'n');
  d->start_time_unix_nano = 1000 + i;
  d->end_time_unix_nano = 2000 + i;
  d->attributes.push_back({"i", int64_t{i}});
  return d;
}

TEST(SpanRecord, RoundTripsEveryEncodableField) {
  InstrumentationScope scope{"lib", "1.0"};
  TraceState ts;
  ASSERT_TRUE(TraceState::Parse("a=1,b=2", &ts));
  SpanData in;
  in.context = SpanContext(NewTraceId(), NewSpanId(), TraceFlags{0x03}, true, ts);
  in.parent_span_id = NewSpanId();
  in.parent_is_remote = true;
  in.name = "GET /users/{id}";
  in.kind = SpanKind::kServer;
  in.start_time_unix_nano = 1;
  in.end_time_unix_nano = 2;
  in.attributes = {{"b", true},
                   {"i", int64_t{-7}},
                   {"d", 2.5},
                   {"s", std::string("value")},
                   {"empty", std::string()}};
  in.dropped_attributes_count = 3;
  in.status_code = SpanStatusCode::kError;
  in.status_message = "boom";
  in.scope = &scope;
  const size_t size = EncodedSpanSize(in);
  ASSERT_GT(size, 0u);
  ASSERT_EQ(size % kRecordAlign, 0u);
  std::vector<uint64_t> buf(size / 8);
  EncodeSpan(in, reinterpret_cast<std::byte*>(buf.data()));

  // Decoding into an object that held another span must leave nothing of it.
  SpanData out = *MakeSpan(5);
  out.attributes.push_back({"x", std::string("old")});
  out.attributes.push_back({"y", std::string("old")});
  out.attributes.push_back({"z", std::string("old")});
  out.attributes.push_back({"w", std::string("old")});
  out.attributes.push_back({"v", std::string("old")});
  out.attributes.push_back({"u", std::string("old")});
  out.events.push_back({});
  DecodeSpan(reinterpret_cast<std::byte*>(buf.data()), out);
  EXPECT_EQ(out.context, in.context);
  EXPECT_EQ(out.context.trace_state().Get("b"), "2");
  EXPECT_EQ(out.parent_span_id, in.parent_span_id);
  EXPECT_TRUE(out.parent_is_remote);
  EXPECT_EQ(out.name, in.name);
  EXPECT_EQ(out.kind, SpanKind::kServer);
  EXPECT_EQ(out.start_time_unix_nano, 1u);
  EXPECT_EQ(out.end_time_unix_nano, 2u);
  EXPECT_EQ(out.attributes, in.attributes);
  EXPECT_EQ(out.dropped_attributes_count, 3u);
  EXPECT_EQ(out.status_code, SpanStatusCode::kError);
  EXPECT_EQ(out.status_message, "boom");
  EXPECT_EQ(out.scope, &scope);
  EXPECT_TRUE(out.events.empty());
}

TEST(SpanRecord, EventsLinksAndArraysAreNotEncoded) {
  SpanData with_event = *MakeSpan(1);
  with_event.events.push_back({});
  EXPECT_EQ(EncodedSpanSize(with_event), 0u);
  SpanData with_link = *MakeSpan(1);
  with_link.links.push_back({});
  EXPECT_EQ(EncodedSpanSize(with_link), 0u);
  SpanData with_array = *MakeSpan(1);
  with_array.attributes.push_back({"a", std::vector<int64_t>{1, 2}});
  EXPECT_EQ(EncodedSpanSize(with_array), 0u);
}

// Pushes spans of varying size through a small ring many times over, so
// records meet the end of the buffer at every offset.
TEST(SpanRing, WrapsAroundWithoutLosingOrReorderingSpans) {
  SpanRing ring(1000, 4096);
  std::vector<SpanData> out(7);
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 300; ++round) {
    for (int k = 0; k < 5; ++k) {
      auto d = MakeSpan(next_in, 8 + (next_in * 37) % 300);
      ASSERT_TRUE(ring.Push(d)) << next_in;
      ASSERT_NE(d, nullptr);  // encoded: the producer keeps its object
      ++next_in;
    }
    size_t n;
    while ((n = ring.Drain(out.data(), out.size())) > 0) {
      for (size_t i = 0; i < n; ++i, ++next_out) {
        const SpanData expected = *MakeSpan(next_out, 8 + (next_out * 37) % 300);
        ASSERT_EQ(out[i].name, expected.name);
        ASSERT_EQ(out[i].start_time_unix_nano, expected.start_time_unix_nano);
        ASSERT_EQ(out[i].attributes, expected.attributes);
      }
    }
  }
  EXPECT_EQ(next_out, next_in);
  EXPECT_EQ(ring.enqueued(), 1500u);
  EXPECT_EQ(ring.dropped(), 0u);
  EXPECT_EQ(ring.waiting(), 0u);
}

TEST(SpanRing, FullBySpanCountDropsAndCounts) {
  SpanRing ring(3, 1 << 20);
  for (int i = 0; i < 5; ++i) {
    auto d = MakeSpan(i);
    EXPECT_EQ(ring.Push(d), i < 3) << i;
  }
  EXPECT_EQ(ring.enqueued(), 3u);
  EXPECT_EQ(ring.dropped(), 2u);
  // Draining one makes room for exactly one more.
  std::vector<SpanData> out(1);
  ASSERT_EQ(ring.Drain(out.data(), 1), 1u);
  auto again = MakeSpan(9);
  EXPECT_TRUE(ring.Push(again));
  auto over = MakeSpan(10);
  EXPECT_FALSE(ring.Push(over));
  EXPECT_EQ(ring.dropped(), 3u);
}

TEST(SpanRing, FullByBytesDropsAndCounts) {
  SpanRing ring(1 << 20, 4096);
  int pushed = 0;
  for (int i = 0; i < 100; ++i) {
    auto d = MakeSpan(i, 200);
    if (ring.Push(d)) ++pushed;
  }
  EXPECT_GT(pushed, 5);
  EXPECT_LT(pushed, 20);  // ~300 B a record in 4 KiB
  EXPECT_EQ(ring.dropped(), static_cast<uint64_t>(100 - pushed));
  std::vector<SpanData> out(100);
  EXPECT_EQ(ring.Drain(out.data(), out.size()), static_cast<size_t>(pushed));
}

TEST(SpanRing, SpansThatCannotBeEncodedTravelByPointer) {
  SpanRing ring(10, 4096);
  auto d = MakeSpan(1);
  d->events.push_back({.time_unix_nano = 5, .name = "exception"});
  d->links.push_back({.context = SpanContext(NewTraceId(), NewSpanId(), {}, true)});
  d->attributes.push_back({"arr", std::vector<std::string>{"a", "b"}});
  const SpanData copy = *d;
  ASSERT_TRUE(ring.Push(d));
  EXPECT_EQ(d, nullptr);  // the ring took the object
  // Too large to encode into a 4 KiB ring: also by pointer.
  auto big = MakeSpan(2, 3000);
  ASSERT_TRUE(ring.Push(big));
  EXPECT_EQ(big, nullptr);
  std::vector<SpanData> out(2);
  ASSERT_EQ(ring.Drain(out.data(), 2), 2u);
  EXPECT_EQ(out[0].events.size(), 1u);
  EXPECT_EQ(out[0].events[0].name, "exception");
  EXPECT_EQ(out[0].links.size(), 1u);
  EXPECT_EQ(out[0].attributes, copy.attributes);
  EXPECT_EQ(out[1].name.size(), 3000u);
}

}  // namespace
}  // namespace callpath::detail
