#include "otlp/decode/trace_decoder.h"

#include "decode_common.h"

namespace callpath::otlp {

using internal::ErrorPath;

void DecodedTraceRequest::Clear() {
  resources_.clear();
  scopes_.clear();
  spans_.clear();
  events_.clear();
  links_.clear();
  resource_attrs_.clear();
  scope_attrs_.clear();
  span_attrs_.clear();
  event_attrs_.clear();
  link_attrs_.clear();
  resource_ranges_.clear();
  event_ranges_.clear();
  link_ranges_.clear();
  scope_ranges_.clear();
  span_ranges_.clear();
}

void DecodedTraceRequest::Link() {
  using internal::Slice;
  for (size_t i = 0; i < resources_.size(); ++i)
    resources_[i].attributes = Slice(resource_attrs_, resource_ranges_[i]);
  for (size_t i = 0; i < scopes_.size(); ++i) {
    scopes_[i].attributes = Slice(scope_attrs_, scope_ranges_[i].attributes);
    scopes_[i].resource = &resources_[scope_ranges_[i].resource];
  }
  for (size_t i = 0; i < events_.size(); ++i)
    events_[i].attributes = Slice(event_attrs_, event_ranges_[i]);
  for (size_t i = 0; i < links_.size(); ++i)
    links_[i].attributes = Slice(link_attrs_, link_ranges_[i]);
  for (size_t i = 0; i < spans_.size(); ++i) {
    const SpanRanges& r = span_ranges_[i];
    DecodedSpan& s = spans_[i];
    s.scope = &scopes_[r.scope];
    s.attributes = Slice(span_attrs_, r.attributes);
    s.events = std::span<const DecodedEvent>(events_.data() + r.events.begin, r.events.count);
    s.links = std::span<const DecodedLink>(links_.data() + r.links.begin, r.links.count);
  }
}

// The recursive-descent decoder; one instance per DecodeTraceRequest call.
class TraceDecoder {
 public:
  TraceDecoder(DecodedTraceRequest* out, std::string* error) : out_(out), err_(error) {}

  static bool Run(std::string_view body, DecodedTraceRequest* out, std::string* error) {
    out->Clear();
    TraceDecoder decoder(out, error);
    if (!decoder.Request(body)) {
      out->Clear();
      return false;
    }
    out->Link();
    return true;
  }

  bool Request(std::string_view body) {
    ProtoReader r(body);
    ProtoField f;
    size_t index = 0;
    while (r.Next(&f)) {
      if (f.number != fields::ExportTraceServiceRequest::kResourceSpans ||
          f.type != WireType::kLengthDelimited)
        continue;
      if (!ResourceSpans(f.bytes)) return err_.Wrap("resource_spans", index);
      ++index;
    }
    if (!r.ok()) return err_.Fail(r.error());
    return true;
  }

 private:
  using Range = DecodedTraceRequest::Range;

  bool ResourceSpans(std::string_view raw) {
    using F = fields::ResourceSpans;
    const uint32_t res_index = static_cast<uint32_t>(out_->resources_.size());
    out_->resources_.emplace_back();
    out_->resource_ranges_.emplace_back();
    // Scopes are decoded as they come and refer to their resource by
    // index, so a resource field that comes (or repeats) after them still
    // applies to them.
    ProtoReader r(raw);
    ProtoField f;
    size_t scope_index = 0;
    while (r.Next(&f)) {
      if (f.type != WireType::kLengthDelimited) continue;
      if (f.number == F::kResource) {
        if (!internal::DecodeResource(f.bytes, &out_->resources_[res_index], &out_->resource_attrs_,
                                      &out_->resource_ranges_[res_index], &err_))
          return false;
      } else if (f.number == F::kScopeSpans) {
        if (!ScopeSpans(f.bytes, res_index)) return err_.Wrap("scope_spans", scope_index);
        ++scope_index;
      } else if (f.number == F::kSchemaUrl) {
        out_->resources_[res_index].schema_url = f.bytes;
      }
    }
    if (!r.ok()) return err_.Fail(r.error());
    return true;
  }

  bool ScopeSpans(std::string_view raw, uint32_t res_index) {
    using F = fields::ScopeSpans;
    const uint32_t scope_index = static_cast<uint32_t>(out_->scopes_.size());
    out_->scopes_.emplace_back();
    out_->scope_ranges_.push_back({Range{}, res_index});
    ProtoReader r(raw);
    ProtoField f;
    size_t span_index = 0;
    while (r.Next(&f)) {
      if (f.type != WireType::kLengthDelimited) continue;
      if (f.number == F::kScope) {
        if (!internal::DecodeScope(f.bytes, &out_->scopes_[scope_index], &out_->scope_attrs_,
                                   &out_->scope_ranges_[scope_index].attributes, &err_))
          return false;
      } else if (f.number == F::kSpans) {
        if (!Span(f.bytes, scope_index)) return err_.Wrap("spans", span_index);
        ++span_index;
      } else if (f.number == F::kSchemaUrl) {
        out_->scopes_[scope_index].schema_url = f.bytes;
      }
    }
    if (!r.ok()) return err_.Fail(r.error());
    return true;
  }

  bool Span(std::string_view raw, uint32_t scope_index) {
    using F = fields::Span;
    DecodedSpan s;
    s.raw = raw;
    DecodedTraceRequest::SpanRanges ranges;
    ranges.scope = scope_index;
    ranges.attributes.begin = static_cast<uint32_t>(out_->span_attrs_.size());
    ranges.events.begin = static_cast<uint32_t>(out_->events_.size());
    ranges.links.begin = static_cast<uint32_t>(out_->links_.size());

    ProtoReader r(raw);
    ProtoField f;
    while (r.Next(&f)) {
      switch (f.type) {
        case WireType::kLengthDelimited:
          switch (f.number) {
            case F::kTraceId: s.trace_id = f.bytes; break;
            case F::kSpanId: s.span_id = f.bytes; break;
            case F::kTraceState: s.trace_state = f.bytes; break;
            case F::kParentSpanId: s.parent_span_id = f.bytes; break;
            case F::kName: s.name = f.bytes; break;
            case F::kAttributes:
              if (!internal::AppendAttribute(f.bytes, &out_->span_attrs_, &err_))
                return err_.Wrap("attributes", ranges.attributes.count);
              ++ranges.attributes.count;
              break;
            case F::kEvents:
              if (!Event(f.bytes)) return err_.Wrap("events", ranges.events.count);
              ++ranges.events.count;
              break;
            case F::kLinks:
              if (!Link(f.bytes)) return err_.Wrap("links", ranges.links.count);
              ++ranges.links.count;
              break;
            case F::kStatus:
              if (!Status(f.bytes, &s)) return false;
              break;
            default: break;
          }
          break;
        case WireType::kVarint:
          switch (f.number) {
            case F::kKind: s.kind = f.as_int32(); break;
            case F::kDroppedAttributesCount: s.dropped_attributes_count = f.as_uint32(); break;
            case F::kDroppedEventsCount: s.dropped_events_count = f.as_uint32(); break;
            case F::kDroppedLinksCount: s.dropped_links_count = f.as_uint32(); break;
            default: break;
          }
          break;
        case WireType::kFixed64:
          if (f.number == F::kStartTimeUnixNano) s.start_time_unix_nano = f.as_uint64();
          else if (f.number == F::kEndTimeUnixNano) s.end_time_unix_nano = f.as_uint64();
          break;
        case WireType::kFixed32:
          if (f.number == F::kFlags) s.flags = f.as_uint32();
          break;
        default:
          break;
      }
    }
    if (!r.ok()) return err_.Fail(r.error());
    if (s.trace_id.size() != 16) return err_.Fail(SizeError("trace_id", 16, s.trace_id.size()));
    if (s.span_id.size() != 8) return err_.Fail(SizeError("span_id", 8, s.span_id.size()));
    if (!s.parent_span_id.empty() && s.parent_span_id.size() != 8)
      return err_.Fail(SizeError("parent_span_id", 8, s.parent_span_id.size()));
    out_->spans_.push_back(s);
    out_->span_ranges_.push_back(ranges);
    return true;
  }

  bool Event(std::string_view raw) {
    using F = fields::SpanEvent;
    DecodedEvent e;
    Range attrs{static_cast<uint32_t>(out_->event_attrs_.size()), 0};
    ProtoReader r(raw);
    ProtoField f;
    while (r.Next(&f)) {
      if (f.number == F::kTimeUnixNano && f.type == WireType::kFixed64) {
        e.time_unix_nano = f.as_uint64();
      } else if (f.number == F::kName && f.type == WireType::kLengthDelimited) {
        e.name = f.bytes;
      } else if (f.number == F::kAttributes && f.type == WireType::kLengthDelimited) {
        if (!internal::AppendAttribute(f.bytes, &out_->event_attrs_, &err_))
          return err_.Wrap("attributes", attrs.count);
        ++attrs.count;
      } else if (f.number == F::kDroppedAttributesCount && f.type == WireType::kVarint) {
        e.dropped_attributes_count = f.as_uint32();
      }
    }
    if (!r.ok()) return err_.Fail(r.error());
    out_->events_.push_back(e);
    out_->event_ranges_.push_back(attrs);
    return true;
  }

  bool Link(std::string_view raw) {
    using F = fields::SpanLink;
    DecodedLink l;
    Range attrs{static_cast<uint32_t>(out_->link_attrs_.size()), 0};
    ProtoReader r(raw);
    ProtoField f;
    while (r.Next(&f)) {
      if (f.type == WireType::kLengthDelimited) {
        switch (f.number) {
          case F::kTraceId: l.trace_id = f.bytes; break;
          case F::kSpanId: l.span_id = f.bytes; break;
          case F::kTraceState: l.trace_state = f.bytes; break;
          case F::kAttributes:
            if (!internal::AppendAttribute(f.bytes, &out_->link_attrs_, &err_))
              return err_.Wrap("attributes", attrs.count);
            ++attrs.count;
            break;
          default: break;
        }
      } else if (f.number == F::kDroppedAttributesCount && f.type == WireType::kVarint) {
        l.dropped_attributes_count = f.as_uint32();
      } else if (f.number == F::kFlags && f.type == WireType::kFixed32) {
        l.flags = f.as_uint32();
      }
    }
    if (!r.ok()) return err_.Fail(r.error());
    if (l.trace_id.size() != 16) return err_.Fail(SizeError("trace_id", 16, l.trace_id.size()));
    if (l.span_id.size() != 8) return err_.Fail(SizeError("span_id", 8, l.span_id.size()));
    out_->links_.push_back(l);
    out_->link_ranges_.push_back(attrs);
    return true;
  }

  // Status may repeat; protobuf merges, so later fields overwrite.
  bool Status(std::string_view raw, DecodedSpan* s) {
    using F = fields::Status;
    ProtoReader r(raw);
    ProtoField f;
    while (r.Next(&f)) {
      if (f.number == F::kMessage && f.type == WireType::kLengthDelimited) {
        s->status_message = f.bytes;
      } else if (f.number == F::kCode && f.type == WireType::kVarint) {
        s->status_code = f.as_int32();
      }
    }
    if (!r.ok()) return err_.Fail(std::string("status: ") + r.error());
    return true;
  }

  static std::string SizeError(std::string_view what, size_t want, size_t got) {
    std::string m(what);
    m += " must be ";
    m += std::to_string(want);
    m += " bytes, got ";
    m += std::to_string(got);
    return m;
  }

  DecodedTraceRequest* out_;
  ErrorPath err_;
};

bool DecodeTraceRequest(std::string_view body, DecodedTraceRequest* out, std::string* error) {
  return TraceDecoder::Run(body, out, error);
}

}  // namespace callpath::otlp
