#include "store/rocksdb/segment.h"

#include <gtest/gtest.h>
#include <zstd.h>

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
  std::string scratch;
  ASSERT_TRUE(DecodeBlob(blob, &scratch, &spans));
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
    EXPECT_FALSE(DecodeBlob(std::string_view(blob.data(), n), &scratch, &spans)) << n;
  }
  std::string longer = blob + "x";
  EXPECT_FALSE(DecodeBlob(longer, &scratch, &spans));
}

TEST(SegmentTest, CompressedBlobRoundTripsAndRejectsEveryTruncation) {
  std::vector<StoredSpan> in;
  for (uint8_t i = 1; i <= 20; ++i) in.push_back(MakeSpan(i, 1'000'000 + i));
  std::vector<const StoredSpan*> ptrs;
  std::vector<uint64_t> hashes;
  for (const auto& s : in) ptrs.push_back(&s), hashes.push_back(42);
  std::string blob, raw, scratch;
  EncodeBlob(ptrs, hashes, &blob);
  raw = blob;
  CompressBlob(&blob, &scratch);
  ASSERT_LT(blob.size(), raw.size() / 4);  // repeated keys and values shrink
  std::vector<BlobSpan> spans;
  ASSERT_TRUE(DecodeBlob(blob, &scratch, &spans));
  ASSERT_EQ(spans.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(spans[i].span_id, in[i].span_id);
    StoredSpan back;
    uint64_t rh = 0;
    ASSERT_TRUE(enc::DecodeSpanValue(spans[i].value, &back, &rh));
    EXPECT_EQ(back.attributes, in[i].attributes);
    EXPECT_EQ(rh, 42u);
  }
  for (size_t n = 0; n < blob.size(); ++n) {
    EXPECT_FALSE(DecodeBlob(std::string_view(blob.data(), n), &scratch, &spans)) << n;
  }
  std::string flipped = blob;
  flipped[1] = static_cast<char>(flipped[1] + 1);  // wrong uncompressed size
  EXPECT_FALSE(DecodeBlob(flipped, &scratch, &spans));
}

// Stores of format 7 and before compressed blobs with zstd (kind byte 3):
// they stay readable, alone and joined with a blob written now.
TEST(SegmentTest, ZstdBlobsOfOlderStoresStayReadable) {
  std::vector<StoredSpan> old_spans, new_spans;
  for (uint8_t i = 1; i <= 20; ++i) old_spans.push_back(MakeSpan(i, 1'000 + 10 * i));
  for (uint8_t i = 21; i <= 30; ++i) new_spans.push_back(MakeSpan(i, 1'005 + 10 * (i - 20)));
  auto encode = [](const std::vector<StoredSpan>& spans) {
    std::vector<const StoredSpan*> ptrs;
    std::vector<uint64_t> hashes;
    for (const auto& s : spans) ptrs.push_back(&s), hashes.push_back(7);
    std::string blob;
    EncodeBlob(ptrs, hashes, &blob);
    return blob;
  };
  const std::string raw = encode(old_spans);
  std::string zstd_blob(1, '\x03');
  enc::PutVarint(&zstd_blob, raw.size());
  std::string frame(ZSTD_compressBound(raw.size()), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), raw.data(), raw.size(), -1));
  zstd_blob += frame;

  std::string scratch;
  std::vector<BlobSpan> spans;
  ASSERT_TRUE(DecodeBlob(zstd_blob, &scratch, &spans));
  ASSERT_EQ(spans.size(), old_spans.size());
  EXPECT_EQ(spans[3].span_id, old_spans[3].span_id);

  std::string lz4_blob = encode(new_spans);
  CompressBlob(&lz4_blob, &scratch);
  ASSERT_EQ(lz4_blob[0], '\x05');
  std::string joined;
  JoinBlobs({zstd_blob, lz4_blob}, &joined);
  ASSERT_TRUE(DecodeBlob(joined, &scratch, &spans));
  ASSERT_EQ(spans.size(), old_spans.size() + new_spans.size());
  for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].start_ns, spans[i].start_ns);
}

// Two requests' blobs of one trace and segment, one compressed and one
// not, joined: one blob whose spans come out in start order.
TEST(SegmentTest, JoinedBlobsDecodeAsOneInStartOrderAndRejectEveryTruncation) {
  std::vector<StoredSpan> first, second;
  for (uint8_t i = 1; i <= 10; ++i) first.push_back(MakeSpan(i, 1'000 + 10 * i));
  second.push_back(MakeSpan(50, 1'005));
  second.push_back(MakeSpan(51, 5'000));
  auto encode = [](const std::vector<StoredSpan>& spans, uint64_t hash, bool compress) {
    std::vector<const StoredSpan*> ptrs;
    std::vector<uint64_t> hashes;
    for (const auto& s : spans) ptrs.push_back(&s), hashes.push_back(hash);
    std::string blob, scratch;
    EncodeBlob(ptrs, hashes, &blob);
    if (compress) CompressBlob(&blob, &scratch);
    return blob;
  };
  const std::string a = encode(first, 1, true), b = encode(second, 2, false);
  ASSERT_EQ(static_cast<uint8_t>(a[0]), 5) << "the first part is compressed (LZ4)";
  std::string joined;
  JoinBlobs({a, b}, &joined);
  std::vector<BlobSpan> spans;
  std::string scratch;
  ASSERT_TRUE(DecodeBlob(joined, &scratch, &spans));
  ASSERT_EQ(spans.size(), 12u);
  for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].start_ns, spans[i].start_ns) << i;
  EXPECT_EQ(spans[0].span_id, second[0].span_id);  // the second part's 1005 comes first
  EXPECT_EQ(spans[1].span_id, first[0].span_id);
  EXPECT_EQ(spans.back().span_id, second[1].span_id);
  StoredSpan back;
  uint64_t rh = 0;
  ASSERT_TRUE(enc::DecodeSpanValue(spans.back().value, &back, &rh));
  EXPECT_EQ(rh, 2u);
  EXPECT_EQ(back.attributes, second[1].attributes);

  for (size_t n = 0; n < joined.size(); ++n) {
    EXPECT_FALSE(DecodeBlob(std::string_view(joined.data(), n), &scratch, &spans)) << n;
  }
  std::string nested;
  JoinBlobs({joined}, &nested);
  EXPECT_FALSE(DecodeBlob(nested, &scratch, &spans)) << "a joined blob inside a joined blob";
}

TEST(SegmentTest, SmallBlobStaysUncompressed) {
  StoredSpan a = MakeSpan(1, 1);
  a.attributes.clear();
  std::string blob, scratch;
  EncodeBlob({&a}, {1}, &blob);
  const std::string raw = blob;
  CompressBlob(&blob, &scratch);
  EXPECT_EQ(blob, raw);
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
