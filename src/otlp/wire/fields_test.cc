// The field-number constants must equal the numbers in the .proto files,
// which libprotobuf exposes through the message descriptors.
#include "otlp/wire/fields.h"

#include <gtest/gtest.h>

#include "otlp/testing/otlp_proto.h"

namespace callpath::otlp {
namespace {

namespace pb = callpath::testing::pb;
using google::protobuf::Descriptor;

int Number(const Descriptor* d, const char* name) {
  const auto* f = d->FindFieldByName(name);
  EXPECT_NE(f, nullptr) << d->full_name() << "." << name;
  return f == nullptr ? -1 : f->number();
}

TEST(FieldsTest, CommonMatchProto) {
  const Descriptor* any = pb::AnyValue::descriptor();
  EXPECT_EQ(Number(any, "string_value"), fields::AnyValue::kStringValue);
  EXPECT_EQ(Number(any, "bool_value"), fields::AnyValue::kBoolValue);
  EXPECT_EQ(Number(any, "int_value"), fields::AnyValue::kIntValue);
  EXPECT_EQ(Number(any, "double_value"), fields::AnyValue::kDoubleValue);
  EXPECT_EQ(Number(any, "array_value"), fields::AnyValue::kArrayValue);
  EXPECT_EQ(Number(any, "kvlist_value"), fields::AnyValue::kKvlistValue);
  EXPECT_EQ(Number(any, "bytes_value"), fields::AnyValue::kBytesValue);
  EXPECT_EQ(Number(any, "string_value_strindex"), fields::AnyValue::kStringValueStrindex);
  EXPECT_EQ(Number(pb::ArrayValue::descriptor(), "values"), fields::ArrayValue::kValues);
  EXPECT_EQ(Number(pb::KeyValueList::descriptor(), "values"), fields::KeyValueList::kValues);
  const Descriptor* kv = pb::KeyValue::descriptor();
  EXPECT_EQ(Number(kv, "key"), fields::KeyValue::kKey);
  EXPECT_EQ(Number(kv, "value"), fields::KeyValue::kValue);
  EXPECT_EQ(Number(kv, "key_strindex"), fields::KeyValue::kKeyStrindex);
  const Descriptor* scope = pb::InstrumentationScope::descriptor();
  EXPECT_EQ(Number(scope, "name"), fields::InstrumentationScope::kName);
  EXPECT_EQ(Number(scope, "version"), fields::InstrumentationScope::kVersion);
  EXPECT_EQ(Number(scope, "attributes"), fields::InstrumentationScope::kAttributes);
  EXPECT_EQ(Number(scope, "dropped_attributes_count"),
            fields::InstrumentationScope::kDroppedAttributesCount);
  const Descriptor* res = pb::Resource::descriptor();
  EXPECT_EQ(Number(res, "attributes"), fields::Resource::kAttributes);
  EXPECT_EQ(Number(res, "dropped_attributes_count"), fields::Resource::kDroppedAttributesCount);
  EXPECT_EQ(Number(res, "entity_refs"), fields::Resource::kEntityRefs);
}

TEST(FieldsTest, TraceMatchProto) {
  EXPECT_EQ(Number(pb::ExportTraceServiceRequest::descriptor(), "resource_spans"),
            fields::ExportTraceServiceRequest::kResourceSpans);
  EXPECT_EQ(Number(pb::ExportTraceServiceResponse::descriptor(), "partial_success"),
            fields::ExportTraceServiceResponse::kPartialSuccess);
  const Descriptor* rs = pb::ResourceSpans::descriptor();
  EXPECT_EQ(Number(rs, "resource"), fields::ResourceSpans::kResource);
  EXPECT_EQ(Number(rs, "scope_spans"), fields::ResourceSpans::kScopeSpans);
  EXPECT_EQ(Number(rs, "schema_url"), fields::ResourceSpans::kSchemaUrl);
  const Descriptor* ss = pb::ScopeSpans::descriptor();
  EXPECT_EQ(Number(ss, "scope"), fields::ScopeSpans::kScope);
  EXPECT_EQ(Number(ss, "spans"), fields::ScopeSpans::kSpans);
  EXPECT_EQ(Number(ss, "schema_url"), fields::ScopeSpans::kSchemaUrl);

  const Descriptor* s = pb::Span::descriptor();
  EXPECT_EQ(Number(s, "trace_id"), fields::Span::kTraceId);
  EXPECT_EQ(Number(s, "span_id"), fields::Span::kSpanId);
  EXPECT_EQ(Number(s, "trace_state"), fields::Span::kTraceState);
  EXPECT_EQ(Number(s, "parent_span_id"), fields::Span::kParentSpanId);
  EXPECT_EQ(Number(s, "name"), fields::Span::kName);
  EXPECT_EQ(Number(s, "kind"), fields::Span::kKind);
  EXPECT_EQ(Number(s, "start_time_unix_nano"), fields::Span::kStartTimeUnixNano);
  EXPECT_EQ(Number(s, "end_time_unix_nano"), fields::Span::kEndTimeUnixNano);
  EXPECT_EQ(Number(s, "attributes"), fields::Span::kAttributes);
  EXPECT_EQ(Number(s, "dropped_attributes_count"), fields::Span::kDroppedAttributesCount);
  EXPECT_EQ(Number(s, "events"), fields::Span::kEvents);
  EXPECT_EQ(Number(s, "dropped_events_count"), fields::Span::kDroppedEventsCount);
  EXPECT_EQ(Number(s, "links"), fields::Span::kLinks);
  EXPECT_EQ(Number(s, "dropped_links_count"), fields::Span::kDroppedLinksCount);
  EXPECT_EQ(Number(s, "status"), fields::Span::kStatus);
  EXPECT_EQ(Number(s, "flags"), fields::Span::kFlags);

  const Descriptor* ev = pb::Span::Event::descriptor();
  EXPECT_EQ(Number(ev, "time_unix_nano"), fields::SpanEvent::kTimeUnixNano);
  EXPECT_EQ(Number(ev, "name"), fields::SpanEvent::kName);
  EXPECT_EQ(Number(ev, "attributes"), fields::SpanEvent::kAttributes);
  EXPECT_EQ(Number(ev, "dropped_attributes_count"), fields::SpanEvent::kDroppedAttributesCount);
  const Descriptor* ln = pb::Span::Link::descriptor();
  EXPECT_EQ(Number(ln, "trace_id"), fields::SpanLink::kTraceId);
  EXPECT_EQ(Number(ln, "span_id"), fields::SpanLink::kSpanId);
  EXPECT_EQ(Number(ln, "trace_state"), fields::SpanLink::kTraceState);
  EXPECT_EQ(Number(ln, "attributes"), fields::SpanLink::kAttributes);
  EXPECT_EQ(Number(ln, "dropped_attributes_count"), fields::SpanLink::kDroppedAttributesCount);
  EXPECT_EQ(Number(ln, "flags"), fields::SpanLink::kFlags);
  const Descriptor* st = pb::Status::descriptor();
  EXPECT_EQ(Number(st, "message"), fields::Status::kMessage);
  EXPECT_EQ(Number(st, "code"), fields::Status::kCode);
  EXPECT_EQ(st->FindFieldByNumber(1), nullptr) << "Status field 1 is reserved";
}

TEST(FieldsTest, LogsMatchProto) {
  EXPECT_EQ(Number(pb::ExportLogsServiceRequest::descriptor(), "resource_logs"),
            fields::ExportLogsServiceRequest::kResourceLogs);
  const Descriptor* rl = pb::ResourceLogs::descriptor();
  EXPECT_EQ(Number(rl, "resource"), fields::ResourceLogs::kResource);
  EXPECT_EQ(Number(rl, "scope_logs"), fields::ResourceLogs::kScopeLogs);
  EXPECT_EQ(Number(rl, "schema_url"), fields::ResourceLogs::kSchemaUrl);
  const Descriptor* sl = pb::ScopeLogs::descriptor();
  EXPECT_EQ(Number(sl, "scope"), fields::ScopeLogs::kScope);
  EXPECT_EQ(Number(sl, "log_records"), fields::ScopeLogs::kLogRecords);
  EXPECT_EQ(Number(sl, "schema_url"), fields::ScopeLogs::kSchemaUrl);
  const Descriptor* lr = pb::LogRecord::descriptor();
  EXPECT_EQ(Number(lr, "time_unix_nano"), fields::LogRecord::kTimeUnixNano);
  EXPECT_EQ(Number(lr, "observed_time_unix_nano"), fields::LogRecord::kObservedTimeUnixNano);
  EXPECT_EQ(Number(lr, "severity_number"), fields::LogRecord::kSeverityNumber);
  EXPECT_EQ(Number(lr, "severity_text"), fields::LogRecord::kSeverityText);
  EXPECT_EQ(Number(lr, "body"), fields::LogRecord::kBody);
  EXPECT_EQ(Number(lr, "attributes"), fields::LogRecord::kAttributes);
  EXPECT_EQ(Number(lr, "dropped_attributes_count"), fields::LogRecord::kDroppedAttributesCount);
  EXPECT_EQ(Number(lr, "flags"), fields::LogRecord::kFlags);
  EXPECT_EQ(Number(lr, "trace_id"), fields::LogRecord::kTraceId);
  EXPECT_EQ(Number(lr, "span_id"), fields::LogRecord::kSpanId);
  EXPECT_EQ(Number(lr, "event_name"), fields::LogRecord::kEventName);
}

TEST(FieldsTest, WireTypesOfTimesAndFlagsAreFixed) {
  using google::protobuf::FieldDescriptor;
  const Descriptor* s = pb::Span::descriptor();
  EXPECT_EQ(s->FindFieldByName("start_time_unix_nano")->type(), FieldDescriptor::TYPE_FIXED64);
  EXPECT_EQ(s->FindFieldByName("flags")->type(), FieldDescriptor::TYPE_FIXED32);
  EXPECT_EQ(pb::LogRecord::descriptor()->FindFieldByName("flags")->type(),
            FieldDescriptor::TYPE_FIXED32);
  EXPECT_EQ(pb::Span::Link::descriptor()->FindFieldByName("flags")->type(),
            FieldDescriptor::TYPE_FIXED32);
}

}  // namespace
}  // namespace callpath::otlp
