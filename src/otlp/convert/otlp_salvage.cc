#include "otlp/convert/otlp_salvage.h"

#include <functional>

#include "otlp/wire/fields.h"
#include "otlp/wire/proto_reader.h"
#include "otlp/wire/proto_writer.h"

namespace callpath::daemon {
namespace {

namespace f = otlp::fields;
using otlp::ProtoField;
using otlp::ProtoReader;
using otlp::ProtoWriter;
using otlp::WireType;

// Reason an item must go, or nullptr if its ids are fine. `malformed` is set
// when the item is not even a readable message.
using ItemCheck = std::function<const char*(std::string_view item, bool* malformed)>;

bool IdLen(const ProtoField& fld, size_t want, bool allow_empty) {
  return fld.bytes.size() == want || (allow_empty && fld.bytes.empty());
}

const char* CheckSpan(std::string_view span, bool* malformed) {
  ProtoReader r(span);
  ProtoField fld;
  const char* why = nullptr;
  bool has_trace = false, has_span = false;
  while (r.Next(&fld)) {
    if (fld.type != WireType::kLengthDelimited) continue;
    if (fld.number == f::Span::kTraceId) {
      has_trace = true;
      if (!IdLen(fld, 16, false)) why = "trace_id is not 16 bytes";
    } else if (fld.number == f::Span::kSpanId) {
      has_span = true;
      if (!IdLen(fld, 8, false) && !why) why = "span_id is not 8 bytes";
    } else if (fld.number == f::Span::kParentSpanId) {
      if (!IdLen(fld, 8, true) && !why) why = "parent_span_id is not 8 bytes";
    } else if (fld.number == f::Span::kLinks) {
      ProtoReader lr(fld.bytes);
      ProtoField lf;
      while (lr.Next(&lf)) {
        if (lf.type != WireType::kLengthDelimited) continue;
        if ((lf.number == f::SpanLink::kTraceId && !IdLen(lf, 16, false)) ||
            (lf.number == f::SpanLink::kSpanId && !IdLen(lf, 8, false))) {
          if (!why) why = "link id has the wrong length";
        }
      }
      if (!lr.ok()) *malformed = true;
    }
  }
  if (!r.ok()) *malformed = true;
  if (!why && !has_trace) why = "trace_id is missing";
  if (!why && !has_span) why = "span_id is missing";
  return why;
}

const char* CheckLog(std::string_view rec, bool* malformed) {
  ProtoReader r(rec);
  ProtoField fld;
  const char* why = nullptr;
  while (r.Next(&fld)) {
    if (fld.type != WireType::kLengthDelimited) continue;
    if (fld.number == f::LogRecord::kTraceId && !IdLen(fld, 16, true)) why = "trace_id is not 16 bytes";
    if (fld.number == f::LogRecord::kSpanId && !IdLen(fld, 8, true) && !why) why = "span_id is not 8 bytes";
  }
  if (!r.ok()) *malformed = true;
  return why;
}

// Copies a message field by field, filtering the repeated `item` field of
// the innermost level. Levels: request -> resource_X (1) -> scope_X (2) -> items.
bool Rebuild(std::string_view body, uint32_t resource_field, uint32_t resource_scopes_field,
             uint32_t scope_items_field, const ItemCheck& check, std::string* out,
             Rejections* rejected) {
  Rejections local;
  bool malformed = false;
  out->clear();
  out->reserve(body.size());
  ProtoWriter w(out);
  ProtoReader top(body);
  ProtoField rf;
  while (top.Next(&rf)) {
    if (rf.number != resource_field || rf.type != WireType::kLengthDelimited) continue;
    auto res_nested = w.BeginNested(resource_field, rf.bytes.size());
    ProtoReader res(rf.bytes);
    ProtoField sf;
    while (res.Next(&sf)) {
      if (sf.number != resource_scopes_field || sf.type != WireType::kLengthDelimited) {
        continue;  // resource and schema_url are copied below, verbatim
      }
      auto scope_nested = w.BeginNested(resource_scopes_field, sf.bytes.size());
      ProtoReader scope(sf.bytes);
      ProtoField itf;
      while (scope.Next(&itf)) {
        if (itf.number == scope_items_field && itf.type == WireType::kLengthDelimited) {
          if (const char* why = check(itf.bytes, &malformed)) {
            local.Add(why);
            continue;
          }
        }
        // Copy the field as it was on the wire.
        if (itf.type == WireType::kLengthDelimited) w.Bytes(itf.number, itf.bytes, otlp::Presence::kExplicit);
        else if (itf.type == WireType::kVarint) w.Uint64(itf.number, itf.scalar, otlp::Presence::kExplicit);
        else if (itf.type == WireType::kFixed32) w.Fixed32(itf.number, static_cast<uint32_t>(itf.scalar), otlp::Presence::kExplicit);
        else if (itf.type == WireType::kFixed64) w.Fixed64(itf.number, itf.scalar, otlp::Presence::kExplicit);
      }
      if (!scope.ok()) malformed = true;
      w.EndNested(scope_nested);
    }
    if (!res.ok()) malformed = true;
    // Non-scope fields of the resource level (resource, schema_url).
    ProtoReader again(rf.bytes);
    while (again.Next(&sf)) {
      if (sf.number == resource_scopes_field && sf.type == WireType::kLengthDelimited) continue;
      if (sf.type == WireType::kLengthDelimited) w.Bytes(sf.number, sf.bytes, otlp::Presence::kExplicit);
    }
    w.EndNested(res_nested);
  }
  if (!top.ok() || malformed || local.count() == 0) return false;
  *rejected = std::move(local);
  return true;
}

}  // namespace

bool SalvageTraceRequest(std::string_view body, std::string* cleaned, Rejections* rejected) {
  return Rebuild(body, f::ExportTraceServiceRequest::kResourceSpans, f::ResourceSpans::kScopeSpans,
                 f::ScopeSpans::kSpans, CheckSpan, cleaned, rejected);
}

bool SalvageLogsRequest(std::string_view body, std::string* cleaned, Rejections* rejected) {
  return Rebuild(body, f::ExportLogsServiceRequest::kResourceLogs, f::ResourceLogs::kScopeLogs,
                 f::ScopeLogs::kLogRecords, CheckLog, cleaned, rejected);
}

}  // namespace callpath::daemon
