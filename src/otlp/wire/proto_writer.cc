#include "otlp/wire/proto_writer.h"

namespace callpath::otlp {

void ProtoWriter::ResizeSlot(Nested* n, size_t need) {
  const size_t len = out_->size() - n->body_start;
  const size_t slot_start = n->body_start - n->slot;
  if (need > n->slot) {
    // The hint was too small: grow first, then shift the body right.
    out_->resize(out_->size() + (need - n->slot));
    char* base = out_->data();
    std::memmove(base + slot_start + need, base + n->body_start, len);
  } else {
    // The hint was too large: shift the body left, then shrink.
    char* base = out_->data();
    std::memmove(base + slot_start + need, base + n->body_start, len);
    out_->resize(out_->size() - (n->slot - need));
  }
  n->body_start = slot_start + need;
  n->slot = static_cast<uint8_t>(need);
}

}  // namespace callpath::otlp
