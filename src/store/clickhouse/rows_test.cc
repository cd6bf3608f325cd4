// Spans and log records through the RowBinary rows of the ClickHouse
// tables: every field round-trips, and malformed answers are refused.
#include "store/clickhouse/rows.h"

#include <gtest/gtest.h>

namespace callpath::store::ch {
namespace {

StoredSpan FullSpan() {
  StoredSpan s;
  s.trace_id = TraceId::FromBytes(std::string(16, '\x11'));
  s.span_id = SpanId::FromBytes(std::string(8, '\x22'));
  s.parent_span_id = SpanId::FromBytes(std::string(8, '\x33'));
  s.service = "payment";
  s.operation = "Charge";
  s.kind = SpanKind::kClient;
  s.start_ns = 1'700'000'000'123'456'789ull;
  s.duration_ns = 42;
  s.status = SpanStatus::kError;
  s.status_message = "declined";
  s.flags = 0x301;
  s.trace_state = "k=v";
  s.attributes = {{"s", Value::String("x\x01'\\")}, {"b", Value::Bool(true)}, {"i", Value::Int(-7)},
                  {"d", Value::Double(0.1)}, {"raw", Value::Bytes(std::string("\x00\xff", 2))},
                  {"j", Value::Json("[1,2]")}};
  s.resource_attributes = {{"service.name", Value::String("payment")}};
  s.events = {{5, "exception", {{"exception.type", Value::String("Timeout")}}}, {6, "retry", {}}};
  s.links = {{TraceId::FromBytes(std::string(16, '\x44')), SpanId::FromBytes(std::string(8, '\x55')), "a=b",
              {{"link.kind", Value::String("follows")}}}};
  s.scope_name = "shop";
  s.scope_version = "1.0";
  return s;
}

constexpr uint64_t kResource = 0x1234567890abcdefull;

std::string SpanRow(const StoredSpan& s, uint64_t version = 9, uint32_t seq = 3) {
  std::string row;
  RowWriter w(&row);
  PutSpan(w, s, kResource);
  PutVersion(w, "node1", version, seq);
  return row;
}

// The row names its resource by hash; the attributes are the resources
// row's (read back by the store), so they come back empty here.
TEST(ClickHouseRows, SpanRoundTripsEveryFieldAndNamesItsResource) {
  StoredSpan want = FullSpan();
  const std::string row = SpanRow(want);
  RowReader r(row);
  StoredSpan got;
  uint64_t resource = 0, version = 0;
  uint32_t seq = 0;
  ASSERT_TRUE(ReadSpan(r, &got, &resource, &version, &seq));
  EXPECT_TRUE(r.done());
  want.resource_attributes.clear();
  EXPECT_EQ(got, want);
  EXPECT_EQ(resource, kResource);
  EXPECT_EQ(version, 9u);
  EXPECT_EQ(seq, 3u);
}

TEST(ClickHouseRows, ResourceRowRoundTrips) {
  const Attributes want = {{"service.name", Value::String("payment")}, {"host.cpus", Value::Int(8)}};
  std::string encoded, row;
  RowWriter e(&encoded);
  PutAttributes(e, want);
  RowWriter w(&row);
  PutResource(w, 20000, ResourceHash(encoded), encoded);
  RowReader r(std::string_view(row).substr(8));  // as read: without the day
  uint64_t resource = 0;
  Attributes got;
  ASSERT_TRUE(ReadResource(r, &resource, &got));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(resource, ResourceHash(encoded));
  EXPECT_EQ(got, want);
  for (size_t n = 0; n + 8 < row.size(); ++n) {
    RowReader cut(std::string_view(row).substr(8, n));
    EXPECT_FALSE(ReadResource(cut, &resource, &got)) << "accepted " << n << " bytes";
  }
}

// Stored in spans and logs rows: a change would orphan every older row.
TEST(ResourceHash, IsFnv1aOfTheEncodedAttributesAndNeverZero) {
  EXPECT_EQ(ResourceHash(""), 0xcbf29ce484222325ull);
  std::string encoded;
  RowWriter w(&encoded);
  PutAttributes(w, {{"service.name", Value::String("payment")}});
  EXPECT_EQ(ResourceHash(encoded), 0x000a7774d444ad0dull);
}

TEST(ClickHouseRows, LogRoundTripsEveryField) {
  StoredLog want;
  want.time_ns = 10;
  want.observed_ns = 11;
  want.trace_id = TraceId::FromBytes(std::string(16, '\x01'));
  want.span_id = SpanId::FromBytes(std::string(8, '\x02'));
  want.severity_number = 17;
  want.severity_text = "ERROR";
  want.body = Value::Json(R"({"msg":"x"})");
  want.attributes = {{"order.id", Value::Int(42)}};
  want.service = "cart";
  want.resource_attributes = {{"service.name", Value::String("cart")}};
  want.scope_name = "log";
  want.scope_version = "2";
  want.flags = 1;
  want.template_id = 1234;
  std::string row;
  RowWriter w(&row);
  PutLog(w, want, kResource);
  PutVersion(w, "node1", 1, 0);
  RowReader r(row);
  StoredLog got;
  uint64_t resource, version;
  uint32_t seq;
  ASSERT_TRUE(ReadLog(r, &got, &resource, &version, &seq));
  want.resource_attributes.clear();
  EXPECT_EQ(got, want);
  EXPECT_EQ(resource, kResource);
}

TEST(ClickHouseRows, TruncatedAnswerIsRefusedAtEveryLength) {
  const std::string row = SpanRow(FullSpan());
  for (size_t n = 0; n < row.size(); ++n) {
    RowReader r(std::string_view(row).substr(0, n));
    StoredSpan s;
    uint64_t resource, version;
    uint32_t seq;
    EXPECT_FALSE(ReadSpan(r, &s, &resource, &version, &seq)) << "accepted " << n << " of " << row.size() << " bytes";
  }
}

TEST(ClickHouseRows, MalformedValuesAreRefused) {
  StoredSpan s;
  s.trace_id = TraceId::FromBytes(std::string(16, '\x11'));
  s.attributes = {{"i", Value::Int(5)}};
  std::string row = SpanRow(s);
  // The value "5" of an Int attribute becomes "x": not a number.
  const size_t at = row.find("\x01\x35", 0);  // length 1, "5"
  ASSERT_NE(at, std::string::npos);
  row[at + 1] = 'x';
  RowReader r(row);
  StoredSpan got;
  uint64_t resource, version;
  uint32_t seq;
  EXPECT_FALSE(ReadSpan(r, &got, &resource, &version, &seq));
  // An array length larger than the whole answer.
  std::string huge;
  RowWriter w(&huge);
  w.Varint(1ull << 40);
  RowReader h(huge);
  EXPECT_EQ(h.ArraySize(), 0u);
  EXPECT_FALSE(h.ok());
  // A varint that never ends.
  const std::string endless(12, '\xff');
  RowReader v(endless);
  (void)v.Varint();
  EXPECT_FALSE(v.ok());
}

TEST(ClickHouseRows, EventAttributeOfAMissingEventIsRefused) {
  StoredSpan s = FullSpan();
  std::string row = SpanRow(s);
  // event_attr.event holds 0 for the one attribute of event 0: point it at event 7.
  StoredSpan t = s;
  t.events[0].attributes.clear();
  t.events[1].attributes = {{"exception.type", Value::String("Timeout")}};
  std::string moved = SpanRow(t);
  // Both rows have the same length; the owner index differs in one byte.
  ASSERT_EQ(row.size(), moved.size());
  size_t diff = 0;
  while (diff < row.size() && row[diff] == moved[diff]) ++diff;
  ASSERT_LT(diff, row.size());
  moved[diff] = 7;
  RowReader r(moved);
  StoredSpan got;
  uint64_t resource, version;
  uint32_t seq;
  EXPECT_FALSE(ReadSpan(r, &got, &resource, &version, &seq));
}

// Stored in the tags table: a change would hide every older row.
TEST(TagHash, IsFnv1aOfKeyZeroByteAndValue) {
  EXPECT_EQ(TagHash("", ""), 0xaf63bd4c8601b7dfull);  // FNV-1a of one 0 byte
  EXPECT_NE(TagHash("ab", "c"), TagHash("a", "bc"));
  EXPECT_EQ(TagHash("db.system", "redis"), 0x28e18a714af2fa41ull);
}

}  // namespace
}  // namespace callpath::store::ch
