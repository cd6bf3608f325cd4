#include "otlp/wire/proto_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "otlp/testing/otlp_proto.h"
#include "otlp/wire/fields.h"
#include "text/hex.h"

namespace callpath::otlp {
namespace {

namespace pb = callpath::testing::pb;

std::string Hex(std::string_view s) { return text::HexString(s); }

TEST(ProtoWriterTest, VarintsMatchTheSpecExamples) {
  std::string out;
  ProtoWriter w(&out);
  w.Uint64(1, 150);
  EXPECT_EQ(Hex(out), "089601");
  out.clear();
  w.Uint64(1, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(Hex(out), "08ffffffffffffffffff01");
  out.clear();
  w.Sint64(1, -1);  // zigzag: -1 -> 1
  EXPECT_EQ(Hex(out), "0801");
  out.clear();
  w.Int32(1, -1);  // sign-extended: ten bytes
  EXPECT_EQ(Hex(out), "08ffffffffffffffffff01");
}

TEST(ProtoWriterTest, ImplicitPresenceSkipsDefaults) {
  std::string out;
  ProtoWriter w(&out);
  w.Uint64(1, 0);
  w.Int64(2, 0);
  w.Bool(3, false);
  w.Fixed32(4, 0);
  w.Fixed64(5, 0);
  w.Double(6, 0.0);
  w.String(7, "");
  w.Bytes(8, "");
  EXPECT_TRUE(out.empty());

  w.Bool(3, false, Presence::kExplicit);
  w.String(7, "", Presence::kExplicit);
  w.Double(6, 0.0, Presence::kExplicit);
  EXPECT_EQ(Hex(out), "1800" "3a00" "310000000000000000");
}

TEST(ProtoWriterTest, NegativeZeroDoubleIsWrittenLikeLibprotobuf) {
  std::string out;
  ProtoWriter w(&out);
  w.Double(4, -0.0);
  EXPECT_EQ(out.size(), 9u);
}

TEST(ProtoWriterTest, AppendsAfterExistingContent) {
  std::string out = "prefix";
  ProtoWriter w(&out);
  w.String(1, "x");
  EXPECT_EQ(out, std::string("prefix\x0a\x01x", 9));
}

// Every size hint must give the same canonical bytes as libprotobuf, for
// bodies whose length varint needs 1, 2 or 3 bytes.
TEST(ProtoWriterTest, NestedLengthSlotIsCanonicalForAnyHint) {
  for (size_t body : {0u, 1u, 126u, 127u, 128u, 300u, 16383u, 16384u, 70000u}) {
    for (size_t hint : {0u, 1u, 127u, 128u, 16384u, 1u << 21, 1u << 28}) {
      pb::KeyValue kv;
      kv.set_key("k");
      kv.mutable_value()->set_string_value(std::string(body, 'x'));
      std::string expected = kv.SerializeAsString();

      std::string out;
      ProtoWriter w(&out);
      w.String(fields::KeyValue::kKey, "k");
      auto v = w.BeginNested(fields::KeyValue::kValue, hint);
      w.String(fields::AnyValue::kStringValue, std::string(body, 'x'), Presence::kExplicit);
      w.EndNested(v);
      ASSERT_EQ(Hex(out), Hex(expected)) << "body " << body << " hint " << hint;
    }
  }
}

TEST(ProtoWriterTest, DeeplyNestedMessagesWithWrongHints) {
  // An array of arrays of ... of one int, nested 20 deep, every slot
  // guessed too wide: the moves must compose.
  pb::AnyValue expected;
  pb::AnyValue* cur = &expected;
  for (int i = 0; i < 20; ++i) cur = cur->mutable_array_value()->add_values();
  cur->set_int_value(-7);

  std::string out;
  ProtoWriter w(&out);
  std::vector<ProtoWriter::Nested> open;
  for (int i = 0; i < 20; ++i) {
    open.push_back(w.BeginNested(fields::AnyValue::kArrayValue, 1u << 20));
    open.push_back(w.BeginNested(fields::ArrayValue::kValues, 1u << 20));
  }
  w.Int64(fields::AnyValue::kIntValue, -7, Presence::kExplicit);
  for (auto it = open.rbegin(); it != open.rend(); ++it) w.EndNested(*it);
  EXPECT_EQ(Hex(out), Hex(expected.SerializeAsString()));
}

TEST(ProtoWriterTest, EndNestedOmitIfEmptyDropsTheField) {
  std::string out;
  ProtoWriter w(&out);
  w.String(5, "name");
  auto n = w.BeginNested(15, 300);  // a field number that is one tag byte
  EXPECT_FALSE(w.EndNestedOmitIfEmpty(n, 15));
  EXPECT_EQ(out, std::string("\x2a\x04name", 6));
  auto big = w.BeginNested(16, 0);  // two tag bytes
  EXPECT_FALSE(w.EndNestedOmitIfEmpty(big, 16));
  EXPECT_EQ(out.size(), 6u);
  auto kept = w.BeginNested(15, 0);
  w.Uint32(3, 2);
  EXPECT_TRUE(w.EndNestedOmitIfEmpty(kept, 15));
  EXPECT_EQ(Hex(out.substr(6)), "7a021802");
}

// A span written field by field with random values serializes to exactly
// the bytes libprotobuf produces for the same message.
TEST(ProtoWriterTest, RandomSpansMatchLibprotobufBytes) {
  std::mt19937_64 rng(42);
  auto rnd_str = [&](size_t max) {
    std::string s(rng() % (max + 1), '\0');
    for (char& c : s) c = static_cast<char>('a' + rng() % 26);
    return s;
  };
  auto maybe = [&](uint64_t v) { return rng() % 3 == 0 ? 0 : v; };
  for (int iter = 0; iter < 300; ++iter) {
    pb::Span s;
    std::string tid = rnd_str(16), sid = rnd_str(8);
    s.set_trace_id(tid);
    s.set_span_id(sid);
    s.set_trace_state(rnd_str(20));
    s.set_parent_span_id(rng() % 2 ? rnd_str(8) : "");
    s.set_name(rnd_str(300));
    s.set_kind(static_cast<pb::Span::SpanKind>(rng() % 6));
    s.set_start_time_unix_nano(maybe(rng()));
    s.set_end_time_unix_nano(maybe(rng()));
    s.set_dropped_attributes_count(static_cast<uint32_t>(maybe(rng())));
    s.set_flags(static_cast<uint32_t>(maybe(rng())));
    int nattr = static_cast<int>(rng() % 4);
    for (int i = 0; i < nattr; ++i) {
      auto* kv = s.add_attributes();
      kv->set_key(rnd_str(10));
      switch (rng() % 4) {
        case 0: kv->mutable_value()->set_int_value(static_cast<int64_t>(rng())); break;
        case 1: kv->mutable_value()->set_double_value(static_cast<double>(rng()) / 7.0); break;
        case 2: kv->mutable_value()->set_bool_value(rng() % 2); break;
        default: kv->mutable_value()->set_string_value(rnd_str(200)); break;
      }
    }
    if (rng() % 2) {
      s.mutable_status()->set_code(pb::Status::STATUS_CODE_ERROR);
      s.mutable_status()->set_message(rnd_str(5));
    }

    std::string out;
    ProtoWriter w(&out);
    using F = fields::Span;
    w.Bytes(F::kTraceId, s.trace_id());
    w.Bytes(F::kSpanId, s.span_id());
    w.String(F::kTraceState, s.trace_state());
    w.Bytes(F::kParentSpanId, s.parent_span_id());
    w.String(F::kName, s.name());
    w.Enum(F::kKind, s.kind());
    w.Fixed64(F::kStartTimeUnixNano, s.start_time_unix_nano());
    w.Fixed64(F::kEndTimeUnixNano, s.end_time_unix_nano());
    for (const auto& kv : s.attributes()) {
      auto n = w.BeginNested(F::kAttributes, rng() % 200);
      w.String(fields::KeyValue::kKey, kv.key());
      auto v = w.BeginNested(fields::KeyValue::kValue);
      const auto& a = kv.value();
      if (a.has_int_value()) w.Int64(fields::AnyValue::kIntValue, a.int_value(), Presence::kExplicit);
      if (a.has_double_value())
        w.Double(fields::AnyValue::kDoubleValue, a.double_value(), Presence::kExplicit);
      if (a.has_bool_value()) w.Bool(fields::AnyValue::kBoolValue, a.bool_value(), Presence::kExplicit);
      if (a.has_string_value())
        w.String(fields::AnyValue::kStringValue, a.string_value(), Presence::kExplicit);
      w.EndNested(v);
      w.EndNested(n);
    }
    w.Uint32(F::kDroppedAttributesCount, s.dropped_attributes_count());
    if (s.has_status()) {
      auto st = w.BeginNested(F::kStatus);
      w.String(fields::Status::kMessage, s.status().message());
      w.Enum(fields::Status::kCode, s.status().code());
      w.EndNested(st);
    }
    w.Fixed32(F::kFlags, s.flags());

    ASSERT_EQ(Hex(out), Hex(s.SerializeAsString())) << "iteration " << iter;
    pb::Span parsed;
    ASSERT_TRUE(parsed.ParseFromString(out));
    EXPECT_EQ(parsed.name(), s.name());
  }
}

TEST(ProtoWriterTest, FloatAndSint32) {
  std::string out;
  ProtoWriter w(&out);
  w.Float(1, 1.5f);
  w.Sint32(2, -3);
  EXPECT_EQ(Hex(out), "0d0000c03f" "1005");
}

}  // namespace
}  // namespace callpath::otlp
