#include "store/clickhouse/rows.h"

#include <charconv>

#include "text/hex.h"

namespace callpath::store::ch {

namespace {

bool ParseValue(uint8_t type, std::string text, Value* v) {
  auto parse = [&](auto* out) {
    auto res = std::from_chars(text.data(), text.data() + text.size(), *out);
    return res.ec == std::errc() && res.ptr == text.data() + text.size();
  };
  switch (static_cast<Value::Type>(type)) {
    case Value::Type::kString: *v = Value::String(std::move(text)); return true;
    case Value::Type::kJson: *v = Value::Json(std::move(text)); return true;
    case Value::Type::kBool: *v = Value::Bool(text == "true"); return true;
    case Value::Type::kInt64: *v = Value::Int(0); return parse(&v->int_value);
    case Value::Type::kDouble: *v = Value::Double(0); return parse(&v->double_value);
    case Value::Type::kBytes: {
      std::string raw(text.size() / 2, '\0');
      *v = Value::Bytes(std::string());
      if (!text::HexDecode(text, reinterpret_cast<uint8_t*>(raw.data()), raw.size(), text::HexCase::kLowerOnly)) {
        return false;
      }
      v->text = std::move(raw);
      return true;
    }
  }
  return false;
}

// Nested (key, type, value) arrays with a leading index array when
// `owners` is given (event_attr, link_attr): whose attribute each is.
bool ReadAttributeArrays(RowReader& r, Attributes* out, std::vector<uint32_t>* owners) {
  out->clear();
  if (owners != nullptr) {
    owners->resize(r.ArraySize());
    for (auto& o : *owners) o = r.U32();
  }
  const size_t n = r.ArraySize();
  out->resize(n);
  for (auto& kv : *out) kv.key = r.String();
  std::vector<uint8_t> types(r.ArraySize());
  for (auto& t : types) t = r.U8();
  if (r.ArraySize() != n || types.size() != n || (owners != nullptr && owners->size() != n)) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!ParseValue(types[i], r.String(), &(*out)[i].value)) return false;
  }
  return r.ok();
}

// Attributes of events or links, flattened with the index of their owner.
void PutOwnedAttributes(RowWriter& w, const std::vector<const Attributes*>& owners) {
  size_t n = 0;
  for (const Attributes* a : owners) n += a->size();
  w.ArraySize(n);
  for (size_t i = 0; i < owners.size(); ++i) {
    for (size_t k = 0; k < owners[i]->size(); ++k) w.U32(static_cast<uint32_t>(i));
  }
  w.ArraySize(n);
  for (const Attributes* a : owners) for (const auto& kv : *a) w.String(kv.key);
  w.ArraySize(n);
  for (const Attributes* a : owners) for (const auto& kv : *a) w.U8(static_cast<uint8_t>(kv.value.type));
  w.ArraySize(n);
  for (const Attributes* a : owners) for (const auto& kv : *a) w.String(kv.value.AsText());
}

}  // namespace

void PutAttributes(RowWriter& w, const Attributes& attrs) {
  w.ArraySize(attrs.size());
  for (const auto& kv : attrs) w.String(kv.key);
  w.ArraySize(attrs.size());
  for (const auto& kv : attrs) w.U8(static_cast<uint8_t>(kv.value.type));
  w.ArraySize(attrs.size());
  for (const auto& kv : attrs) w.String(kv.value.AsText());
}

namespace {

// 64-bit FNV-1a, continuing from `h`.
constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ull;
uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// The `res` arrays of rows written from schema version 3 on.
void PutEmptyAttributes(RowWriter& w) {
  w.ArraySize(0);
  w.ArraySize(0);
  w.ArraySize(0);
}

}  // namespace

uint64_t ResourceHash(std::string_view encoded_attributes) {
  const uint64_t h = Fnv1a(kFnvOffsetBasis, encoded_attributes);
  return h == 0 ? 1 : h;
}

void PutResource(RowWriter& w, uint64_t day, uint64_t resource, std::string_view encoded_attributes) {
  w.U64(day);
  w.U64(resource);
  w.Raw(encoded_attributes);
}

bool ReadResource(RowReader& r, uint64_t* resource, Attributes* attributes) {
  *resource = r.U64();
  return ReadAttributeArrays(r, attributes, nullptr);
}

uint64_t TagHash(std::string_view key, std::string_view value_text) {
  return Fnv1a(Fnv1a(Fnv1a(kFnvOffsetBasis, key), std::string_view("\0", 1)), value_text);
}

void PutVersion(RowWriter& w, std::string_view writer, uint64_t version, uint32_t seq) {
  w.String(writer);
  w.U64(version);
  w.U32(seq);
}

void PutSpan(RowWriter& w, const StoredSpan& s, uint64_t resource) {
  w.Trace(s.trace_id);
  w.U64(s.start_ns);
  w.Span(s.span_id);
  w.Span(s.parent_span_id);
  w.String(s.service);
  w.String(s.operation);
  w.U8(static_cast<uint8_t>(s.kind));
  w.U64(s.duration_ns);
  w.U8(static_cast<uint8_t>(s.status));
  w.String(s.status_message);
  w.U32(s.flags);
  w.String(s.trace_state);
  PutAttributes(w, s.attributes);
  PutEmptyAttributes(w);
  w.U64(resource);
  w.ArraySize(s.events.size());
  for (const auto& e : s.events) w.U64(e.time_ns);
  w.ArraySize(s.events.size());
  for (const auto& e : s.events) w.String(e.name);
  std::vector<const Attributes*> owners;
  for (const auto& e : s.events) owners.push_back(&e.attributes);
  PutOwnedAttributes(w, owners);
  w.ArraySize(s.links.size());
  for (const auto& l : s.links) w.Trace(l.trace_id);
  w.ArraySize(s.links.size());
  for (const auto& l : s.links) w.Span(l.span_id);
  w.ArraySize(s.links.size());
  for (const auto& l : s.links) w.String(l.trace_state);
  owners.clear();
  for (const auto& l : s.links) owners.push_back(&l.attributes);
  PutOwnedAttributes(w, owners);
  w.String(s.scope_name);
  w.String(s.scope_version);
}

bool ReadSpan(RowReader& r, StoredSpan* s, uint64_t* resource, uint64_t* version, uint32_t* seq) {
  s->trace_id = r.Trace();
  s->start_ns = r.U64();
  s->span_id = r.Span();
  s->parent_span_id = r.Span();
  s->service = r.String();
  s->operation = r.String();
  s->kind = static_cast<SpanKind>(r.U8());
  s->duration_ns = r.U64();
  s->status = static_cast<SpanStatus>(r.U8());
  s->status_message = r.String();
  s->flags = r.U32();
  s->trace_state = r.String();
  if (!ReadAttributeArrays(r, &s->attributes, nullptr)) return false;
  if (!ReadAttributeArrays(r, &s->resource_attributes, nullptr)) return false;
  *resource = r.U64();
  s->events.assign(r.ArraySize(), Event());
  for (auto& e : s->events) e.time_ns = r.U64();
  if (r.ArraySize() != s->events.size()) return false;
  for (auto& e : s->events) e.name = r.String();
  Attributes attrs;
  std::vector<uint32_t> owner;
  if (!ReadAttributeArrays(r, &attrs, &owner)) return false;
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (owner[i] >= s->events.size()) return false;
    s->events[owner[i]].attributes.push_back(std::move(attrs[i]));
  }
  s->links.assign(r.ArraySize(), Link());
  for (auto& l : s->links) l.trace_id = r.Trace();
  if (r.ArraySize() != s->links.size()) return false;
  for (auto& l : s->links) l.span_id = r.Span();
  if (r.ArraySize() != s->links.size()) return false;
  for (auto& l : s->links) l.trace_state = r.String();
  if (!ReadAttributeArrays(r, &attrs, &owner)) return false;
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (owner[i] >= s->links.size()) return false;
    s->links[owner[i]].attributes.push_back(std::move(attrs[i]));
  }
  s->scope_name = r.String();
  s->scope_version = r.String();
  (void)r.String();  // writer
  *version = r.U64();
  *seq = r.U32();
  return r.ok();
}

void PutLog(RowWriter& w, const StoredLog& l, uint64_t resource) {
  w.U64(l.effective_time_ns());
  w.U64(l.time_ns);
  w.U64(l.observed_ns);
  w.Trace(l.trace_id);
  w.Span(l.span_id);
  w.I32(l.severity_number);
  w.String(l.severity_text);
  w.U8(static_cast<uint8_t>(l.body.type));
  w.String(l.body.AsText());
  PutAttributes(w, l.attributes);
  w.String(l.service);
  PutEmptyAttributes(w);
  w.U64(resource);
  w.String(l.scope_name);
  w.String(l.scope_version);
  w.U32(l.flags);
  w.U64(l.template_id);
}

bool ReadLog(RowReader& r, StoredLog* l, uint64_t* resource, uint64_t* version, uint32_t* seq) {
  (void)r.U64();  // effective_ns
  l->time_ns = r.U64();
  l->observed_ns = r.U64();
  l->trace_id = r.Trace();
  l->span_id = r.Span();
  l->severity_number = r.I32();
  l->severity_text = r.String();
  const uint8_t body_type = r.U8();
  if (!ParseValue(body_type, r.String(), &l->body)) return false;
  if (!ReadAttributeArrays(r, &l->attributes, nullptr)) return false;
  l->service = r.String();
  if (!ReadAttributeArrays(r, &l->resource_attributes, nullptr)) return false;
  *resource = r.U64();
  l->scope_name = r.String();
  l->scope_version = r.String();
  l->flags = r.U32();
  l->template_id = r.U64();
  (void)r.String();  // writer
  *version = r.U64();
  *seq = r.U32();
  return r.ok();
}

}  // namespace callpath::store::ch
