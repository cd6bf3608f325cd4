#include "store/rocksdb/segment.h"

#include <zstd.h>

#include <cstring>

#include "store/encoding.h"

namespace callpath::store::seg {

namespace {
constexpr uint8_t kBlobVersion = 2;
// A blob of version 2 compressed whole with zstd: this byte, the varint
// size of the uncompressed blob, then one zstd frame.
constexpr uint8_t kCompressedBlob = 3;
// Blobs smaller than this are stored as they are (compression gains little).
constexpr size_t kMinCompress = 256;
// One of zstd's fast levels: blobs are compressed once, on the indexer
// thread, whose speed bounds sustained ingest (60 s runs: level 1 answered
// 429 nine times as often as -1 at the same rate and size on disk).
constexpr int kZstdLevel = -1;

// One context per thread, reused: creating one costs more than compressing
// a blob. Freed at thread exit.
struct ZstdContexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};
ZstdContexts& Contexts() {
  thread_local ZstdContexts contexts;
  return contexts;
}
// Bound of an uncompressed blob a reader accepts (corrupt sizes).
constexpr uint64_t kMaxBlobBytes = 1ull << 30;
constexpr uint64_t kMaxCount = 1u << 24;
}  // namespace

void EncodeBlob(const std::vector<const StoredSpan*>& spans,
                const std::vector<uint64_t>& resource_hashes, std::string* out) {
  out->push_back(static_cast<char>(kBlobVersion));
  enc::PutVarint(out, spans.size());
  uint64_t prev = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    const StoredSpan& s = *spans[i];
    enc::PutVarint(out, enc::ZigZag(static_cast<int64_t>(s.start_ns - prev)));
    prev = s.start_ns;
    out->append(s.span_id.AsBytes());
    const size_t at = out->size();
    out->append(4, '\0');
    enc::EncodeSpanValue(s, resource_hashes[i], out);
    const auto len = static_cast<uint32_t>(out->size() - at - 4);
    for (int b = 0; b < 4; ++b) (*out)[at + b] = static_cast<char>(len >> (8 * b));
  }
}

void CompressBlob(std::string* blob, std::string* scratch) {
  if (blob->size() < kMinCompress || blob->size() > kMaxBlobBytes) return;
  ZSTD_CCtx* cctx = Contexts().c;
  if (cctx == nullptr) return;  // out of memory: store it uncompressed
  scratch->clear();
  scratch->push_back(static_cast<char>(kCompressedBlob));
  enc::PutVarint(scratch, blob->size());
  const size_t head = scratch->size();
  scratch->resize(head + ZSTD_compressBound(blob->size()));
  const size_t n = ZSTD_compressCCtx(cctx, scratch->data() + head, scratch->size() - head,
                                     blob->data(), blob->size(), kZstdLevel);
  if (ZSTD_isError(n) || head + n >= blob->size()) return;  // keep it as it is
  scratch->resize(head + n);
  blob->swap(*scratch);
}

bool DecodeBlob(std::string_view blob, std::string* scratch, std::vector<BlobSpan>* spans) {
  if (!blob.empty() && static_cast<uint8_t>(blob[0]) == kCompressedBlob) {
    enc::Reader h(blob.substr(1));
    uint64_t raw;
    if (!h.Varint(&raw) || raw > kMaxBlobBytes) return false;
    std::string_view packed = blob.substr(blob.size() - h.remaining());
    ZSTD_DCtx* dctx = Contexts().d;
    if (dctx == nullptr) return false;
    scratch->resize(raw);
    // The frame must expand to exactly the size the header claims: a
    // corrupt size cannot make the reader allocate more than kMaxBlobBytes
    // or accept a short blob.
    const size_t n = ZSTD_decompressDCtx(dctx, scratch->data(), raw, packed.data(), packed.size());
    if (ZSTD_isError(n) || n != raw) return false;
    blob = *scratch;
    if (!blob.empty() && static_cast<uint8_t>(blob[0]) == kCompressedBlob) return false;  // nested
  }
  enc::Reader r(blob);
  uint8_t version;
  uint64_t n;
  if (!r.Byte(&version) || version != kBlobVersion || !r.Varint(&n) || n > kMaxCount ||
      n > r.remaining()) {
    return false;
  }
  spans->clear();
  spans->reserve(n);
  uint64_t prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    BlobSpan& s = spans->emplace_back();
    uint64_t delta;
    std::string_view id, len;
    if (!r.Varint(&delta) || !r.Raw(8, &id) || !r.Raw(4, &len)) return false;
    uint32_t n32 = 0;
    for (int b = 0; b < 4; ++b) n32 |= uint32_t{static_cast<uint8_t>(len[b])} << (8 * b);
    if (!r.Raw(n32, &s.value)) return false;
    s.start_ns = prev + static_cast<uint64_t>(enc::UnZigZag(delta));
    prev = s.start_ns;
    s.span_id = SpanId::FromBytes(id);
  }
  return r.done();
}

namespace {
// Writes a varint at p; returns the end. Room for 10 bytes is the caller's.
inline char* WriteVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
}  // namespace

void EncodePostings(const std::vector<Posting>& entries, uint64_t max_start, bool with_check,
                    std::string* out) {
  // Sized once for the worst case and trimmed after: a few bytes per
  // entry appended one by one was a visible share of ingest CPU.
  constexpr size_t kMaxEntry = 5 + 10 + 10 + 1 + 4;
  const size_t old = out->size();
  out->resize(old + 10 + entries.size() * kMaxEntry);
  char* const begin = out->data() + old;
  char* p = WriteVarint(begin, entries.size());
  for (const Posting& e : entries) {
    p = WriteVarint(p, e.trace);
    p = WriteVarint(p, max_start - e.start_ns);
    p = WriteVarint(p, e.duration_ns);
    *p++ = e.error ? 1 : 0;
    if (with_check) {
      std::memcpy(p, &e.check, 4);
      p += 4;
    }
  }
  out->resize(old + static_cast<size_t>(p - begin));
}

bool DecodePostings(std::string_view data, uint64_t max_start, bool with_check,
                    std::vector<Posting>* entries) {
  enc::Reader r(data);
  uint64_t n;
  if (!r.Varint(&n) || n > kMaxCount || n > r.remaining()) return false;
  entries->resize(n);
  for (Posting& p : *entries) {
    uint64_t delta;
    uint8_t flags;
    if (!r.Varint32(&p.trace) || !r.Varint(&delta) || delta > max_start ||
        !r.Varint(&p.duration_ns) || !r.Byte(&flags)) {
      return false;
    }
    p.start_ns = max_start - delta;
    p.error = (flags & 1) != 0;
    if (with_check) {
      std::string_view b;
      if (!r.Raw(4, &b)) return false;
      std::memcpy(&p.check, b.data(), 4);
    }
  }
  return r.done();
}

void EncodeTable(const std::vector<TraceId>& traces, std::string* out) {
  for (const auto& t : traces) out->append(t.AsBytes());
}

bool DecodeTable(std::string_view data, std::vector<TraceId>* traces) {
  if (data.size() % 16 != 0) return false;
  traces->resize(data.size() / 16);
  for (size_t i = 0; i < traces->size(); ++i) {
    (*traces)[i] = TraceId::FromBytes(data.substr(i * 16, 16));
  }
  return true;
}

}  // namespace callpath::store::seg
