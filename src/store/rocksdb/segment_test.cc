#include "store/rocksdb/segment.h"

#include <gtest/gtest.h>

#include "store/encoding.h"

namespace callpath::store::seg {
namespace {

StoredSpan MakeSpan(uint8_t id, uint64_t start) {
  StoredSpan s;
  s.trace_id.mutable_bytes()[0] = 1;
  s.span_id.mutable_bytes()[7] = id;
  s.service = "svc";
  s.operation = "op";
  s.start_ns = start;
  s.duration_ns = 5;
  s.attributes = {{"k", Value::String(std::string(200, 'v'))}};
  return s;
}

TEST(SegmentTest, BlobRoundTripsAndRejectsEveryTruncation) {
  StoredSpan a = MakeSpan(1, 1'000'000), b = MakeSpan(2, 999'000), c = MakeSpan(3, 5'000'000);
  std::string blob;
  EncodeBlob({&b, &a, &c}, {7, 8, 9}, &blob);
  std::vector<BlobSpan> spans;
  ASSERT_TRUE(DecodeBlob(blob, &spans));
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].start_ns, 999'000u);  // starts may go backwards (zigzag deltas)
  EXPECT_EQ(spans[1].start_ns, 1'000'000u);
  EXPECT_EQ(spans[2].span_id, c.span_id);
  StoredSpan back;
  back.start_ns = spans[2].start_ns;
  uint64_t rh = 0;
  ASSERT_TRUE(enc::DecodeSpanValue(spans[2].value, &back, &rh));
  EXPECT_EQ(rh, 9u);
  EXPECT_EQ(back.attributes, c.attributes);
  for (size_t n = 0; n < blob.size(); ++n) {
    EXPECT_FALSE(DecodeBlob(std::string_view(blob.data(), n), &spans)) << n;
  }
  std::string longer = blob + "x";
  EXPECT_FALSE(DecodeBlob(longer, &spans));
}

TEST(SegmentTest, PostingsRoundTripUnorderedAndRejectGarbage) {
  std::vector<Posting> in = {{0, 90, 3, false, 0xdeadbeef}, {2, 100, 4, true, 1}, {1, 10, 0, false, 7}};
  for (bool check : {false, true}) {
    std::string data;
    EncodePostings(in, 100, check, &data);
    std::vector<Posting> out;
    ASSERT_TRUE(DecodePostings(data, 100, check, &out));
    ASSERT_EQ(out.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(out[i].trace, in[i].trace);
      EXPECT_EQ(out[i].start_ns, in[i].start_ns);
      EXPECT_EQ(out[i].duration_ns, in[i].duration_ns);
      EXPECT_EQ(out[i].error, in[i].error);
      EXPECT_EQ(out[i].check, check ? in[i].check : 0u);
    }
    for (size_t n = 0; n < data.size(); ++n) {
      EXPECT_FALSE(DecodePostings(std::string_view(data.data(), n), 100, check, &out)) << n;
    }
    // An entry older than time zero cannot be: the key time is too small.
    EXPECT_FALSE(DecodePostings(data, 50, check, &out));
  }
  std::vector<Posting> out;
  EXPECT_FALSE(DecodePostings("\xff\xff\xff\xff\x0f", 100, false, &out));
}

TEST(SegmentTest, TableRoundTrips) {
  std::vector<TraceId> in(3);
  in[1].mutable_bytes()[5] = 9;
  std::string data;
  EncodeTable(in, &data);
  std::vector<TraceId> out;
  ASSERT_TRUE(DecodeTable(data, &out));
  EXPECT_EQ(out, in);
  EXPECT_FALSE(DecodeTable(std::string_view(data.data(), 17), &out));
}

}  // namespace
}  // namespace callpath::store::seg
