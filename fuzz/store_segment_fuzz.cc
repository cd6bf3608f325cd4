// Feeds arbitrary bytes to the decoders of the store's on-disk segment
// records: span blobs (zstd-compressed, joined or plain), the span values inside
// them, posting lists, log record lists and the segment trace table. A damaged file must be
// reported as malformed, never crash a reader; what decodes must lie inside
// the input (or the blob's decompressed copy).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "store/encoding.h"
#include "store/rocksdb/segment.h"

namespace seg = callpath::store::seg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  std::string scratch;
  std::vector<seg::BlobSpan> spans;
  if (seg::DecodeBlob(bytes, &scratch, &spans)) {
    for (const seg::BlobSpan& s : spans) {
      const bool in_input = s.value.data() >= bytes.data() &&
                            s.value.data() + s.value.size() <= bytes.data() + bytes.size();
      const bool in_scratch = s.value.data() >= scratch.data() &&
                              s.value.data() + s.value.size() <= scratch.data() + scratch.size();
      if (!in_input && !in_scratch) std::abort();
      callpath::store::StoredSpan span;
      uint64_t resource_hash = 0;
      (void)callpath::store::enc::DecodeSpanValue(s.value, &span, &resource_hash);
    }
  }

  // The first byte picks the posting-list variant; the rest is the list.
  if (size > 0) {
    std::vector<seg::Posting> postings;
    (void)seg::DecodePostings(bytes.substr(1), uint64_t{1} << 62, (data[0] & 1) != 0, &postings);
  }

  std::vector<seg::LogRef> refs;
  if (seg::DecodeLogRefs(bytes, &refs)) {
    std::string again;
    seg::EncodeLogRefs(refs, &again);
    std::vector<seg::LogRef> back;
    if (!seg::DecodeLogRefs(again, &back) || back != refs) std::abort();  // round trip
  }

  std::vector<callpath::TraceId> traces;
  if (seg::DecodeTable(bytes, &traces)) {
    std::string again;
    seg::EncodeTable(traces, &again);
    std::vector<callpath::TraceId> back;
    if (!seg::DecodeTable(again, &back) || back != traces) std::abort();  // round trip
  }
  return 0;
}
