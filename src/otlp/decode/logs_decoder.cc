#include "otlp/decode/logs_decoder.h"

#include "decode_common.h"

namespace callpath::otlp {

using internal::ErrorPath;

void DecodedLogsRequest::Clear() {
  resources_.clear();
  scopes_.clear();
  records_.clear();
  resource_attrs_.clear();
  scope_attrs_.clear();
  record_attrs_.clear();
  resource_ranges_.clear();
  scope_ranges_.clear();
  record_ranges_.clear();
}

void DecodedLogsRequest::Link() {
  using internal::Slice;
  for (size_t i = 0; i < resources_.size(); ++i)
    resources_[i].attributes = Slice(resource_attrs_, resource_ranges_[i]);
  for (size_t i = 0; i < scopes_.size(); ++i) {
    scopes_[i].attributes = Slice(scope_attrs_, scope_ranges_[i].attributes);
    scopes_[i].resource = &resources_[scope_ranges_[i].resource];
  }
  for (size_t i = 0; i < records_.size(); ++i) {
    records_[i].scope = &scopes_[record_ranges_[i].scope];
    records_[i].attributes = Slice(record_attrs_, record_ranges_[i].attributes);
  }
}

class LogsDecoder {
 public:
  LogsDecoder(DecodedLogsRequest* out, std::string* error) : out_(out), err_(error) {}

  static bool Run(std::string_view body, DecodedLogsRequest* out, std::string* error) {
    out->Clear();
    LogsDecoder decoder(out, error);
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
      if (f.number != fields::ExportLogsServiceRequest::kResourceLogs ||
          f.type != WireType::kLengthDelimited)
        continue;
      if (!ResourceLogs(f.bytes)) return err_.Wrap("resource_logs", index);
      ++index;
    }
    if (!r.ok()) return err_.Fail(r.error());
    return true;
  }

 private:
  using Range = DecodedLogsRequest::Range;

  bool ResourceLogs(std::string_view raw) {
    using F = fields::ResourceLogs;
    const uint32_t res_index = static_cast<uint32_t>(out_->resources_.size());
    out_->resources_.emplace_back();
    out_->resource_ranges_.emplace_back();
    ProtoReader r(raw);
    ProtoField f;
    size_t scope_index = 0;
    while (r.Next(&f)) {
      if (f.type != WireType::kLengthDelimited) continue;
      if (f.number == F::kResource) {
        if (!internal::DecodeResource(f.bytes, &out_->resources_[res_index], &out_->resource_attrs_,
                                      &out_->resource_ranges_[res_index], &err_))
          return false;
      } else if (f.number == F::kScopeLogs) {
        if (!ScopeLogs(f.bytes, res_index)) return err_.Wrap("scope_logs", scope_index);
        ++scope_index;
      } else if (f.number == F::kSchemaUrl) {
        out_->resources_[res_index].schema_url = f.bytes;
      }
    }
    if (!r.ok()) return err_.Fail(r.error());
    return true;
  }

  bool ScopeLogs(std::string_view raw, uint32_t res_index) {
    using F = fields::ScopeLogs;
    const uint32_t scope_index = static_cast<uint32_t>(out_->scopes_.size());
    out_->scopes_.emplace_back();
    out_->scope_ranges_.push_back({Range{}, res_index});
    ProtoReader r(raw);
    ProtoField f;
    size_t record_index = 0;
    while (r.Next(&f)) {
      if (f.type != WireType::kLengthDelimited) continue;
      if (f.number == F::kScope) {
        if (!internal::DecodeScope(f.bytes, &out_->scopes_[scope_index], &out_->scope_attrs_,
                                   &out_->scope_ranges_[scope_index].attributes, &err_))
          return false;
      } else if (f.number == F::kLogRecords) {
        if (!Record(f.bytes, scope_index)) return err_.Wrap("log_records", record_index);
        ++record_index;
      } else if (f.number == F::kSchemaUrl) {
        out_->scopes_[scope_index].schema_url = f.bytes;
      }
    }
    if (!r.ok()) return err_.Fail(r.error());
    return true;
  }

  bool Record(std::string_view raw, uint32_t scope_index) {
    using F = fields::LogRecord;
    DecodedLogRecord rec;
    rec.raw = raw;
    DecodedLogsRequest::RecordRanges ranges;
    ranges.scope = scope_index;
    ranges.attributes.begin = static_cast<uint32_t>(out_->record_attrs_.size());
    std::string_view body;
    ProtoReader r(raw);
    ProtoField f;
    while (r.Next(&f)) {
      switch (f.type) {
        case WireType::kLengthDelimited:
          switch (f.number) {
            case F::kSeverityText: rec.severity_text = f.bytes; break;
            case F::kBody:
              // A repeated body merges in protobuf; with views the last wins.
              body = f.bytes;
              rec.has_body = true;
              break;
            case F::kAttributes:
              if (!internal::AppendAttribute(f.bytes, &out_->record_attrs_, &err_))
                return err_.Wrap("attributes", ranges.attributes.count);
              ++ranges.attributes.count;
              break;
            case F::kTraceId: rec.trace_id = f.bytes; break;
            case F::kSpanId: rec.span_id = f.bytes; break;
            case F::kEventName: rec.event_name = f.bytes; break;
            default: break;
          }
          break;
        case WireType::kVarint:
          if (f.number == F::kSeverityNumber) rec.severity_number = f.as_int32();
          else if (f.number == F::kDroppedAttributesCount) rec.dropped_attributes_count = f.as_uint32();
          break;
        case WireType::kFixed64:
          if (f.number == F::kTimeUnixNano) rec.time_unix_nano = f.as_uint64();
          else if (f.number == F::kObservedTimeUnixNano) rec.observed_time_unix_nano = f.as_uint64();
          break;
        case WireType::kFixed32:
          if (f.number == F::kFlags) rec.flags = f.as_uint32();
          break;
        default:
          break;
      }
    }
    if (!r.ok()) return err_.Fail(r.error());
    if (rec.has_body && !ParseAnyValue(body, &rec.body, err_.sink())) {
      std::string what = "body: " + (err_.sink() != nullptr ? *err_.sink() : std::string());
      return err_.Fail(what);
    }
    if (!rec.trace_id.empty() && rec.trace_id.size() != 16)
      return err_.Fail("trace_id must be empty or 16 bytes, got " + std::to_string(rec.trace_id.size()));
    if (!rec.span_id.empty() && rec.span_id.size() != 8)
      return err_.Fail("span_id must be empty or 8 bytes, got " + std::to_string(rec.span_id.size()));
    out_->records_.push_back(rec);
    out_->record_ranges_.push_back(ranges);
    return true;
  }

  DecodedLogsRequest* out_;
  ErrorPath err_;
};

bool DecodeLogsRequest(std::string_view body, DecodedLogsRequest* out, std::string* error) {
  return LogsDecoder::Run(body, out, error);
}

}  // namespace callpath::otlp
