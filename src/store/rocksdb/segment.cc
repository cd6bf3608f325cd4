#include "store/rocksdb/segment.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "store/encoding.h"

namespace callpath::store::seg {

namespace {
constexpr uint8_t kBlobVersion = 2;
// A blob of version 2 compressed whole with zstd (written by store formats
// 3 to 7, read still): this byte, the varint size of the uncompressed
// blob, then one zstd frame.
constexpr uint8_t kCompressedBlob = 3;
// Blobs of one trace and segment that were encoded apart, kept as they
// are: this byte, the varint number of parts, then each part (a blob of
// version 2, 3 or 5) prefixed by its varint length.
constexpr uint8_t kJoinedBlob = 4;
// A blob of version 2 compressed whole with LZ4 (the form written since
// store format 8): this byte, the varint size of the uncompressed blob,
// then one LZ4 block.
constexpr uint8_t kLz4Blob = 5;
// Blobs smaller than this are stored as they are (compression gains little).
constexpr size_t kMinCompress = 256;

// One zstd context per thread, reused: creating one costs more than
// inflating a blob. Freed at thread exit.
struct ZstdContexts {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() { ZSTD_freeDCtx(d); }
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
  // LZ4 rather than zstd: blobs are compressed on the receiver threads, one
  // trace at a time, and on blobs of a few KB LZ4 is three times as fast
  // for about a tenth more bytes (docs/benchmarks.md, "The receiver
  // threads of ingest").
  if (blob->size() < kMinCompress || blob->size() > kMaxBlobBytes) return;
  scratch->clear();
  scratch->push_back(static_cast<char>(kLz4Blob));
  enc::PutVarint(scratch, blob->size());
  const size_t head = scratch->size();
  const int bound = LZ4_compressBound(static_cast<int>(blob->size()));
  scratch->resize(head + static_cast<size_t>(bound));
  const int n = LZ4_compress_default(blob->data(), scratch->data() + head, static_cast<int>(blob->size()), bound);
  if (n <= 0 || head + static_cast<size_t>(n) >= blob->size()) return;  // keep it as it is
  scratch->resize(head + static_cast<size_t>(n));
  blob->swap(*scratch);
}

namespace {

// The size a compressed blob expands to, and its zstd frame.
bool CompressedHeader(std::string_view blob, uint64_t* raw, std::string_view* packed) {
  enc::Reader h(blob.substr(1));
  if (!h.Varint(raw) || *raw > kMaxBlobBytes) return false;
  *packed = blob.substr(blob.size() - h.remaining());
  return true;
}

bool IsCompressed(uint8_t kind) { return kind == kCompressedBlob || kind == kLz4Blob; }

// Inflates one compressed blob (`kind` kCompressedBlob or kLz4Blob) into
// exactly `raw` bytes at dst. The data must expand to exactly the size the
// header claims: a corrupt size cannot make the reader allocate more than
// kMaxBlobBytes or accept a short blob.
bool Inflate(uint8_t kind, std::string_view packed, char* dst, uint64_t raw) {
  if (kind == kLz4Blob) {
    if (packed.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE) || raw > static_cast<uint64_t>(LZ4_MAX_INPUT_SIZE)) {
      return false;
    }
    const int n = LZ4_decompress_safe(packed.data(), dst, static_cast<int>(packed.size()), static_cast<int>(raw));
    return n >= 0 && static_cast<uint64_t>(n) == raw;
  }
  ZSTD_DCtx* dctx = Contexts().d;
  if (dctx == nullptr) return false;
  const size_t n = ZSTD_decompressDCtx(dctx, dst, raw, packed.data(), packed.size());
  return !ZSTD_isError(n) && n == raw;
}

// Parses an uncompressed blob, appending its spans.
bool DecodePlain(std::string_view blob, std::vector<BlobSpan>* spans) {
  enc::Reader r(blob);
  uint8_t version;
  uint64_t n;
  if (!r.Byte(&version) || version != kBlobVersion || !r.Varint(&n) || n > kMaxCount ||
      n > r.remaining()) {
    return false;
  }
  spans->reserve(spans->size() + n);
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

// The parts of a joined blob, each a plain or compressed blob.
bool SplitJoined(std::string_view blob, std::vector<std::string_view>* parts) {
  enc::Reader r(blob.substr(1));
  uint64_t n;
  if (!r.Varint(&n) || n == 0 || n > kMaxCount || n > r.remaining()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len;
    std::string_view part;
    if (!r.Varint(&len) || len > r.remaining() || !r.Raw(static_cast<size_t>(len), &part)) return false;
    if (part.empty() || static_cast<uint8_t>(part[0]) == kJoinedBlob) return false;  // nested
    parts->push_back(part);
  }
  return r.done();
}

}  // namespace

void JoinBlobs(const std::vector<std::string_view>& parts, std::string* out) {
  out->push_back(static_cast<char>(kJoinedBlob));
  enc::PutVarint(out, parts.size());
  for (std::string_view p : parts) {
    enc::PutVarint(out, p.size());
    out->append(p);
  }
}

bool DecodeBlob(std::string_view blob, std::string* scratch, std::vector<BlobSpan>* spans) {
  spans->clear();
  if (blob.empty()) return false;
  const auto kind = static_cast<uint8_t>(blob[0]);
  if (IsCompressed(kind)) {
    uint64_t raw;
    std::string_view packed;
    if (!CompressedHeader(blob, &raw, &packed)) return false;
    scratch->resize(raw);
    if (!Inflate(kind, packed, scratch->data(), raw)) return false;
    return DecodePlain(*scratch, spans);
  }
  if (kind != kJoinedBlob) return DecodePlain(blob, spans);

  std::vector<std::string_view> parts;
  if (!SplitJoined(blob, &parts)) return false;
  // Every compressed part inflates into its own slice of one scratch
  // buffer, sized first, so the views into it stay valid.
  uint64_t total = 0;
  for (std::string_view p : parts) {
    uint64_t raw;
    std::string_view packed;
    if (!IsCompressed(static_cast<uint8_t>(p[0]))) continue;
    if (!CompressedHeader(p, &raw, &packed) || raw > kMaxBlobBytes - total) return false;
    total += raw;
  }
  scratch->resize(total);
  uint64_t at = 0;
  for (std::string_view& p : parts) {
    const auto kind = static_cast<uint8_t>(p[0]);
    if (!IsCompressed(kind)) continue;
    uint64_t raw;
    std::string_view packed;
    CompressedHeader(p, &raw, &packed);
    if (!Inflate(kind, packed, scratch->data() + at, raw)) return false;
    p = std::string_view(scratch->data() + at, raw);
    at += raw;
  }
  for (std::string_view p : parts) {
    if (!DecodePlain(p, spans)) return false;
  }
  // Each part is in start order; the blob as a whole must be too.
  std::stable_sort(spans->begin(), spans->end(),
                   [](const BlobSpan& a, const BlobSpan& b) { return a.start_ns < b.start_ns; });
  return true;
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

void EncodeLogRefs(const std::vector<LogRef>& refs, std::string* out) {
  enc::PutVarint(out, refs.size());
  LogRef prev;
  for (const LogRef& r : refs) {
    enc::PutVarint(out, enc::ZigZag(static_cast<int64_t>(r.time_ns - prev.time_ns)));
    enc::PutVarint(out, enc::ZigZag(static_cast<int64_t>(r.seq - prev.seq)));
    prev = r;
  }
}

bool DecodeLogRefs(std::string_view data, std::vector<LogRef>* refs) {
  enc::Reader r(data);
  uint64_t n;
  if (!r.Varint(&n) || n > kMaxCount || n > r.remaining()) return false;
  LogRef prev;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t dt, ds;
    if (!r.Varint(&dt) || !r.Varint(&ds)) return false;
    prev.time_ns += static_cast<uint64_t>(enc::UnZigZag(dt));
    prev.seq += static_cast<uint64_t>(enc::UnZigZag(ds));
    refs->push_back(prev);
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
