#include "otlp/wire/proto_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <vector>

#include "otlp/testing/otlp_proto.h"
#include "otlp/wire/fields.h"
#include "otlp/wire/proto_writer.h"

namespace callpath::otlp {
namespace {

namespace pb = callpath::testing::pb;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// Reads all fields; returns the reader's error (nullptr if clean).
const char* ReadAll(std::string_view data, std::vector<ProtoField>* out = nullptr) {
  ProtoReader r(data);
  ProtoField f;
  while (r.Next(&f))
    if (out) out->push_back(f);
  return r.error();
}

TEST(ProtoReaderTest, ReadsEveryWireType) {
  std::string buf;
  ProtoWriter w(&buf);
  w.Uint64(1, 150);
  w.Fixed64(2, 0x0102030405060708ull);
  w.String(3, "hello");
  w.Fixed32(4, 0xdeadbeef);
  w.Sint64(5, -12345);
  w.Double(6, 2.5);
  std::vector<ProtoField> f;
  ASSERT_EQ(ReadAll(buf, &f), nullptr);
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].number, 1u);
  EXPECT_EQ(f[0].type, WireType::kVarint);
  EXPECT_EQ(f[0].as_uint64(), 150u);
  EXPECT_EQ(f[1].type, WireType::kFixed64);
  EXPECT_EQ(f[1].as_uint64(), 0x0102030405060708ull);
  EXPECT_EQ(f[2].type, WireType::kLengthDelimited);
  EXPECT_EQ(f[2].bytes, "hello");
  EXPECT_EQ(f[2].bytes.data(), buf.data() + 14) << "zero-copy view into the input";
  EXPECT_EQ(f[3].type, WireType::kFixed32);
  EXPECT_EQ(f[3].as_uint32(), 0xdeadbeefu);
  EXPECT_EQ(f[4].as_sint64(), -12345);
  EXPECT_EQ(f[5].as_double(), 2.5);
}

TEST(ProtoReaderTest, VarintLimits) {
  size_t pos = 0;
  uint64_t v = 0;
  std::string max = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  EXPECT_TRUE(ReadVarint(max, &pos, &v));
  EXPECT_EQ(v, ~0ull);
  EXPECT_EQ(pos, 10u);

  pos = 0;
  std::string eleven = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  EXPECT_FALSE(ReadVarint(eleven, &pos, &v));
  EXPECT_EQ(pos, 0u);

  pos = 0;
  EXPECT_FALSE(ReadVarint(Bytes({0x80, 0x80}), &pos, &v)) << "truncated";
  pos = 0;
  EXPECT_FALSE(ReadVarint("", &pos, &v));
  pos = 0;
  // Non-minimal encodings are legal protobuf.
  EXPECT_TRUE(ReadVarint(Bytes({0x81, 0x80, 0x00}), &pos, &v));
  EXPECT_EQ(v, 1u);
}

TEST(ProtoReaderTest, MalformedInputIsAnError) {
  struct Case {
    const char* name;
    std::string data;
  };
  const Case cases[] = {
      {"truncated tag", Bytes({0x80})},
      {"truncated varint value", Bytes({0x08, 0x80})},
      {"varint over 10 bytes",
       Bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})},
      {"length past end", Bytes({0x0a, 0x05, 'a', 'b'})},
      {"huge length", Bytes({0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})},
      {"truncated length", Bytes({0x0a, 0x80})},
      {"truncated fixed64", Bytes({0x09, 1, 2, 3, 4, 5, 6, 7})},
      {"truncated fixed32", Bytes({0x0d, 1, 2, 3})},
      {"start group", Bytes({0x0b, 0x0c})},
      {"end group", Bytes({0x0c})},
      {"wire type 6", Bytes({0x0e, 0x00})},
      {"wire type 7", Bytes({0x0f, 0x00})},
      {"field number 0", Bytes({0x00, 0x01})},
      {"field 0 with length", Bytes({0x02, 0x00})},
      {"tag over 32 bits", Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00})},
      {"tag of 6 bytes", Bytes({0x88, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00})},
  };
  for (const Case& c : cases) EXPECT_NE(ReadAll(c.data), nullptr) << c.name;
}

TEST(ProtoReaderTest, StopsAtFirstErrorAndStaysStopped) {
  std::string data = Bytes({0x08, 0x01, 0x0a, 0x09, 'x'});
  ProtoReader r(data);
  ProtoField f;
  ASSERT_TRUE(r.Next(&f));
  EXPECT_EQ(f.as_uint64(), 1u);
  EXPECT_FALSE(r.Next(&f));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.position(), 2u);
  EXPECT_FALSE(r.Next(&f));
}

TEST(ProtoReaderTest, LargestFieldNumber) {
  std::string buf;
  ProtoWriter w(&buf);
  w.Uint64(kMaxFieldNumber, 7);
  std::vector<ProtoField> f;
  ASSERT_EQ(ReadAll(buf, &f), nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].number, kMaxFieldNumber);
}

// Random spans serialized by libprotobuf: the reader sees exactly the
// fields libprotobuf wrote, with the same values.
TEST(ProtoReaderTest, MatchesLibprotobufOnRandomSpans) {
  std::mt19937_64 rng(7);
  auto rnd = [&](size_t n) {  // any bytes: for `bytes` fields
    std::string s(rng() % (n + 1), '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  auto text = [&](size_t n) {  // ASCII: `string` fields must be UTF-8
    std::string s(rng() % (n + 1), '\0');
    for (char& c : s) c = static_cast<char>(' ' + rng() % 95);
    return s;
  };
  for (int iter = 0; iter < 500; ++iter) {
    pb::Span s;
    s.set_trace_id(rnd(16));
    s.set_span_id(rnd(8));
    s.set_name(text(400));
    s.set_kind(static_cast<pb::Span::SpanKind>(rng() % 6));
    s.set_start_time_unix_nano(rng());
    s.set_end_time_unix_nano(rng() % 2 ? rng() : 0);
    s.set_flags(static_cast<uint32_t>(rng()));
    s.set_dropped_events_count(static_cast<uint32_t>(rng() % 1000));
    int nev = static_cast<int>(rng() % 3);
    for (int i = 0; i < nev; ++i) s.add_events()->set_name(text(10));
    std::string wire = s.SerializeAsString();

    pb::Span got;
    int events = 0;
    ProtoReader r(wire);
    ProtoField f;
    while (r.Next(&f)) {
      using F = fields::Span;
      switch (f.number) {
        case F::kTraceId: got.set_trace_id(std::string(f.bytes)); break;
        case F::kSpanId: got.set_span_id(std::string(f.bytes)); break;
        case F::kName: got.set_name(std::string(f.bytes)); break;
        case F::kKind: got.set_kind(static_cast<pb::Span::SpanKind>(f.as_int32())); break;
        case F::kStartTimeUnixNano: got.set_start_time_unix_nano(f.as_uint64()); break;
        case F::kEndTimeUnixNano: got.set_end_time_unix_nano(f.as_uint64()); break;
        case F::kFlags: got.set_flags(f.as_uint32()); break;
        case F::kDroppedEventsCount: got.set_dropped_events_count(f.as_uint32()); break;
        case F::kEvents: {
          pb::Span::Event e;
          ASSERT_TRUE(e.ParseFromString(std::string(f.bytes)));
          *got.add_events() = e;
          ++events;
          break;
        }
        default: FAIL() << "unexpected field " << f.number;
      }
    }
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(events, nev);
    EXPECT_EQ(got.SerializeAsString(), wire) << "iteration " << iter;
  }
}

// Every prefix and every single-byte corruption of a valid message either
// reads cleanly or reports an error; no read goes out of bounds (the
// sanitizer builds check that part).
TEST(ProtoReaderTest, TruncationsAndCorruptionsNeverOverrun) {
  pb::Span s;
  s.set_trace_id(std::string(16, '\x11'));
  s.set_span_id(std::string(8, '\x22'));
  s.set_name("GET /orders");
  s.set_start_time_unix_nano(1795732690475000000ull);
  s.set_flags(0x101);
  auto* kv = s.add_attributes();
  kv->set_key("http.response.status_code");
  kv->mutable_value()->set_int_value(200);
  const std::string wire = s.SerializeAsString();
  size_t errors = 0;
  for (size_t len = 0; len < wire.size(); ++len) {
    std::string cut = wire.substr(0, len);  // its own allocation: overruns are visible
    if (ReadAll(cut) != nullptr) ++errors;
  }
  EXPECT_GT(errors, 0u);
  for (size_t i = 0; i < wire.size(); ++i) {
    for (int b : {0x00, 0x7f, 0x80, 0xff}) {
      std::string bad = wire;
      bad[i] = static_cast<char>(b);
      ReadAll(bad);
    }
  }
}

// The fields and the error of a walk written plainly from the grammar,
// field by field with ReadVarint: what the reader's inline fast path and
// its full path together must give.
struct Walk {
  std::vector<std::tuple<uint32_t, int, uint64_t, std::string_view>> fields;
  bool failed = false;
  size_t stopped_at = 0;
};
Walk ReferenceWalk(std::string_view data) {
  Walk w;
  size_t p = 0;
  while (p < data.size()) {
    w.stopped_at = p;
    uint64_t tag, v = 0;
    size_t q = p;
    if (!ReadVarint(data, &q, &tag) || q - p > 5 || tag > 0xffffffffu || (tag >> 3) == 0) return w.failed = true, w;
    std::string_view bytes;
    switch (tag & 7) {
      case 0:
        if (!ReadVarint(data, &q, &v)) return w.failed = true, w;
        break;
      case 1:
      case 5: {
        const size_t n = (tag & 7) == 1 ? 8 : 4;
        if (data.size() - q < n) return w.failed = true, w;
        for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<uint8_t>(data[q + i]);
        q += n;
        break;
      }
      case 2:
        if (!ReadVarint(data, &q, &v) || v > data.size() - q) return w.failed = true, w;
        bytes = data.substr(q, v);
        q += v;
        break;
      default:
        return w.failed = true, w;
    }
    w.fields.emplace_back(static_cast<uint32_t>(tag >> 3), static_cast<int>(tag & 7), v, bytes);
    p = q;
  }
  w.stopped_at = p;
  return w;
}

TEST(ProtoReaderTest, AgreesWithAPlainWalkOnRandomBytes) {
  std::mt19937_64 rng(5);
  // Bytes biased towards what the fast path takes: small tags of wire
  // types 0, 1 and 2, short lengths, and the edges around them.
  const uint8_t pool[] = {0x08, 0x09, 0x0a, 0x10, 0x11, 0x12, 0x1a, 0x00, 0x01, 0x02, 0x05, 0x7f, 0x80, 0x81, 0xff, 0x0b, 0x0c, 0x0d};
  for (int n = 0; n < 200000; ++n) {
    std::string data(rng() % 24, '\0');
    for (char& c : data) c = static_cast<char>(rng() % 4 == 0 ? rng() : pool[rng() % sizeof pool]);
    Walk want = ReferenceWalk(data);
    ProtoReader r(data);
    ProtoField f;
    size_t i = 0;
    while (r.Next(&f)) {
      ASSERT_LT(i, want.fields.size());
      const auto& [number, type, scalar, bytes] = want.fields[i++];
      ASSERT_EQ(f.number, number);
      ASSERT_EQ(static_cast<int>(f.type), type);
      ASSERT_EQ(f.scalar, scalar);
      ASSERT_EQ(f.bytes.data() == bytes.data() && f.bytes.size() == bytes.size(), true);
    }
    ASSERT_EQ(i, want.fields.size());
    ASSERT_EQ(!r.ok(), want.failed);
    ASSERT_EQ(r.position(), want.stopped_at);
  }
}

}  // namespace
}  // namespace callpath::otlp
