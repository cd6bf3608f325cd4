#include "daemon/receive/inflate.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>

namespace callpath::daemon {

InflateError InflateCapped(std::string_view in, size_t max_out, std::string& out) {
  out.clear();
  z_stream zs{};
  // 15 + 32: accept both gzip and zlib headers (auto-detected).
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return InflateError::kCorrupt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  // Typical OTLP payloads compress 3-10x; start there and grow geometrically,
  // never past the cap (+1 byte, to detect "more than max_out").
  size_t limit = max_out + 1;
  out.resize(std::min(limit, std::max<size_t>(in.size() * 4, 4096)));
  size_t produced = 0;
  InflateError result = InflateError::kNone;
  for (;;) {
    if (produced == out.size()) {
      if (out.size() >= limit) { result = InflateError::kTooLarge; break; }
      out.resize(std::min(limit, out.size() * 2));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, 1u << 30));
    size_t before = zs.avail_out;
    int rc = inflate(&zs, Z_NO_FLUSH);
    produced += before - zs.avail_out;
    if (produced > max_out) { result = InflateError::kTooLarge; break; }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows.
      if (inflateReset(&zs) != Z_OK) { result = InflateError::kCorrupt; break; }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && zs.avail_out != 0) { result = InflateError::kCorrupt; break; }  // truncated
    if (rc != Z_OK && rc != Z_BUF_ERROR) { result = InflateError::kCorrupt; break; }
  }
  inflateEnd(&zs);
  if (result != InflateError::kNone) {
    out.clear();
    return result;
  }
  out.resize(produced);
  return InflateError::kNone;
}

InflateError ZstdDecompressCapped(std::string_view in, size_t max_out, std::string& out) {
  out.clear();
  if (in.empty()) return InflateError::kCorrupt;
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (ds == nullptr) return InflateError::kCorrupt;
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  const size_t limit = max_out + 1;  // +1 to detect "more than max_out"
  out.resize(std::min(limit, std::max<size_t>(in.size() * 4, 4096)));
  size_t produced = 0, last = 1;
  InflateError result = InflateError::kNone;
  while (src.pos < src.size || last != 0) {
    if (produced == out.size()) {
      if (out.size() >= limit) { result = InflateError::kTooLarge; break; }
      out.resize(std::min(limit, out.size() * 2));
    }
    ZSTD_outBuffer dst{out.data(), out.size(), produced};
    const size_t before_in = src.pos;
    last = ZSTD_decompressStream(ds, &dst, &src);
    produced = dst.pos;
    if (ZSTD_isError(last)) { result = InflateError::kCorrupt; break; }
    if (produced > max_out) { result = InflateError::kTooLarge; break; }
    // Input used up mid-frame with room left for output: truncated.
    if (last != 0 && src.pos == src.size && src.pos == before_in && dst.pos < dst.size) {
      result = InflateError::kCorrupt;
      break;
    }
  }
  ZSTD_freeDStream(ds);
  if (result != InflateError::kNone) {
    out.clear();
    return result;
  }
  out.resize(produced);
  return InflateError::kNone;
}

}  // namespace callpath::daemon
