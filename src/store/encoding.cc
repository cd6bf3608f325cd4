#include "store/encoding.h"

namespace callpath::store::enc {

namespace {
constexpr uint8_t kSpanVersion = 1;
// Log values: version 1 until store format 6; version 2 adds the template
// id (fixed64) at the end. Both are read.
constexpr uint8_t kLogVersion = 2;
// Caps what a corrupt length field can make us allocate.
constexpr uint64_t kMaxElements = 1u << 20;

template <size_t N>
void PutId(std::string* out, const Id<N>& id) { out->append(id.AsBytes()); }
template <size_t N>
bool GetId(Reader* r, Id<N>* id) {
  std::string_view b;
  if (!r->Raw(N, &b)) return false;
  *id = Id<N>::FromBytes(b);
  return true;
}
}  // namespace

uint64_t Hash64(std::string_view data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

void PutValue(std::string* out, const Value& v) {
  out->push_back(static_cast<char>(v.type));
  switch (v.type) {
    case Value::Type::kBool: out->push_back(v.int_value ? 1 : 0); break;
    case Value::Type::kInt64: PutVarint(out, ZigZag(v.int_value)); break;
    case Value::Type::kDouble: {
      char b[8];
      std::memcpy(b, &v.double_value, 8);
      out->append(b, 8);
      break;
    }
    default: PutBytes(out, v.text); break;
  }
}

bool GetValue(Reader* r, Value* v) {
  uint8_t t;
  if (!r->Byte(&t) || t > static_cast<uint8_t>(Value::Type::kJson)) return false;
  v->type = static_cast<Value::Type>(t);
  switch (v->type) {
    case Value::Type::kBool: {
      uint8_t b;
      if (!r->Byte(&b)) return false;
      v->int_value = b ? 1 : 0;
      return true;
    }
    case Value::Type::kInt64: {
      uint64_t z;
      if (!r->Varint(&z)) return false;
      v->int_value = UnZigZag(z);
      return true;
    }
    case Value::Type::kDouble: {
      uint64_t bits;
      if (!r->Fixed64(&bits)) return false;
      std::memcpy(&v->double_value, &bits, 8);
      return true;
    }
    default: return r->String(&v->text);
  }
}

void PutAttributes(std::string* out, const Attributes& attrs) {
  PutVarint(out, attrs.size());
  for (const auto& kv : attrs) {
    PutBytes(out, kv.key);
    PutValue(out, kv.value);
  }
}

bool GetAttributes(Reader* r, Attributes* attrs) {
  uint64_t n;
  if (!r->Varint(&n) || n > kMaxElements || n > r->remaining()) return false;
  attrs->resize(n);
  for (auto& kv : *attrs) {
    if (!r->String(&kv.key) || !GetValue(r, &kv.value)) return false;
  }
  return true;
}

void EncodeSpanValue(const StoredSpan& s, uint64_t resource_hash, std::string* out) {
  out->push_back(static_cast<char>(kSpanVersion));
  if (s.parent_span_id.IsValid()) {
    out->push_back(1);
    PutId(out, s.parent_span_id);
  } else {
    out->push_back(0);
  }
  PutBytes(out, s.service);
  PutBytes(out, s.operation);
  out->push_back(static_cast<char>(s.kind));
  PutVarint(out, s.duration_ns);
  out->push_back(static_cast<char>(s.status));
  PutBytes(out, s.status_message);
  PutVarint(out, s.flags);
  PutBytes(out, s.trace_state);
  PutAttributes(out, s.attributes);
  PutVarint(out, s.events.size());
  for (const auto& e : s.events) {
    // Event times as deltas from the span start: small varints.
    PutVarint(out, ZigZag(static_cast<int64_t>(e.time_ns - s.start_ns)));
    PutBytes(out, e.name);
    PutAttributes(out, e.attributes);
  }
  PutVarint(out, s.links.size());
  for (const auto& l : s.links) {
    PutId(out, l.trace_id);
    PutId(out, l.span_id);
    PutBytes(out, l.trace_state);
    PutAttributes(out, l.attributes);
  }
  char h[8];
  std::memcpy(h, &resource_hash, 8);
  out->append(h, 8);
  PutBytes(out, s.scope_name);
  PutBytes(out, s.scope_version);
}

namespace {
bool GetParentAndService(Reader* r, SpanId* parent, std::string_view* service) {
  uint8_t version, has_parent;
  if (!r->Byte(&version) || version != kSpanVersion || !r->Byte(&has_parent)) return false;
  *parent = SpanId();
  if (has_parent && !GetId(r, parent)) return false;
  return r->Bytes(service);
}

// The fields up to and including status, in their encoded order.
bool GetHead(Reader* r, SpanHead* h) {
  uint8_t kind, status;
  if (!GetParentAndService(r, &h->parent, &h->service) || !r->Bytes(&h->operation) || !r->Byte(&kind) ||
      kind > 5 || !r->Varint(&h->duration_ns) || !r->Byte(&status) || status > 2) {
    return false;
  }
  h->kind = static_cast<SpanKind>(kind);
  h->status = static_cast<SpanStatus>(status);
  return true;
}

bool GetSkeletonFields(Reader* r, StoredSpan* s) {
  SpanHead h;
  if (!GetHead(r, &h)) return false;
  s->parent_span_id = h.parent;
  s->service.assign(h.service);
  s->operation.assign(h.operation);
  s->kind = h.kind;
  s->duration_ns = h.duration_ns;
  s->status = h.status;
  return true;
}
}  // namespace

bool DecodeSpanParentAndService(std::string_view data, SpanId* parent, std::string_view* service) {
  Reader r(data);
  return GetParentAndService(&r, parent, service);
}

bool DecodeSpanHead(std::string_view data, SpanHead* head) {
  Reader r(data);
  return GetHead(&r, head);
}

bool DecodeSpanSkeleton(std::string_view data, StoredSpan* s) {
  Reader r(data);
  return GetSkeletonFields(&r, s);
}

bool DecodeSpanValue(std::string_view data, StoredSpan* s, uint64_t* resource_hash) {
  Reader r(data);
  if (!GetSkeletonFields(&r, s) || !r.String(&s->status_message) || !r.Varint32(&s->flags) ||
      !r.String(&s->trace_state) || !GetAttributes(&r, &s->attributes)) {
    return false;
  }
  uint64_t n;
  if (!r.Varint(&n) || n > kMaxElements || n > r.remaining()) return false;
  s->events.resize(n);
  for (auto& e : s->events) {
    uint64_t delta;
    if (!r.Varint(&delta) || !r.String(&e.name) || !GetAttributes(&r, &e.attributes)) return false;
    e.time_ns = s->start_ns + static_cast<uint64_t>(UnZigZag(delta));
  }
  if (!r.Varint(&n) || n > kMaxElements || n > r.remaining()) return false;
  s->links.resize(n);
  for (auto& l : s->links) {
    if (!GetId(&r, &l.trace_id) || !GetId(&r, &l.span_id) || !r.String(&l.trace_state) ||
        !GetAttributes(&r, &l.attributes)) {
      return false;
    }
  }
  return r.Fixed64(resource_hash) && r.String(&s->scope_name) && r.String(&s->scope_version) &&
         r.done();
}

void EncodeLogValue(const StoredLog& l, uint64_t resource_hash, std::string* out) {
  out->push_back(static_cast<char>(kLogVersion));
  PutBytes(out, l.service);  // first: searches filter on it without a full decode
  PutVarint(out, l.time_ns);
  PutVarint(out, l.observed_ns);
  PutId(out, l.trace_id);
  PutId(out, l.span_id);
  PutVarint(out, ZigZag(l.severity_number));
  PutBytes(out, l.severity_text);
  PutValue(out, l.body);
  PutAttributes(out, l.attributes);
  char h[8];
  std::memcpy(h, &resource_hash, 8);
  out->append(h, 8);
  PutBytes(out, l.scope_name);
  PutBytes(out, l.scope_version);
  PutVarint(out, l.flags);
  char t[8];
  std::memcpy(t, &l.template_id, 8);
  out->append(t, 8);
}

bool DecodeLogValue(std::string_view data, StoredLog* l, uint64_t* resource_hash) {
  Reader r(data);
  uint8_t version;
  uint64_t sev;
  if (!r.Byte(&version) || (version != 1 && version != kLogVersion) || !r.String(&l->service) ||
      !r.Varint(&l->time_ns) || !r.Varint(&l->observed_ns) || !GetId(&r, &l->trace_id) ||
      !GetId(&r, &l->span_id) || !r.Varint(&sev) || !r.String(&l->severity_text) ||
      !GetValue(&r, &l->body) || !GetAttributes(&r, &l->attributes) || !r.Fixed64(resource_hash) ||
      !r.String(&l->scope_name) || !r.String(&l->scope_version) || !r.Varint32(&l->flags)) {
    return false;
  }
  l->severity_number = static_cast<int32_t>(UnZigZag(sev));
  l->template_id = 0;
  if (version >= 2 && !r.Fixed64(&l->template_id)) return false;
  return r.done();
}

}  // namespace callpath::store::enc
