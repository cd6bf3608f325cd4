// Builds a batch of spans from the fuzz input, encodes it with the SDK's
// OTLP encoders and checks the result: libprotobuf must parse the protobuf
// body and find every span field as given (text after UTF-8 repair), our
// own decoder must agree, and the JSON body must be well-formed JSON.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "callpath/span_data.h"
#include "otlp/decode/trace_decoder.h"
#include "otlp/encode/otlp_json_encoder.h"
#include "otlp/encode/otlp_span_encoder.h"
#include "otlp/testing/mini_json.h"
#include "otlp/testing/otlp_proto.h"
#include "text/utf8.h"

namespace {

using namespace callpath;
namespace pb = callpath::testing::pb;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "otlp_writer: %s\n", what);
    abort();
  }
}

std::string Clean(const std::string& s) {
  std::string out;
  text::AppendSanitizedUtf8(s, &out);
  return out;
}

template <size_t N>
Id<N> ConsumeId(FuzzedDataProvider& p) {
  std::array<uint8_t, N> b{};
  for (auto& x : b) x = p.ConsumeIntegral<uint8_t>();
  return Id<N>(b);
}

AttributeValue ConsumeValue(FuzzedDataProvider& p) {
  const size_t n = p.ConsumeIntegralInRange<size_t>(0, 3);
  switch (p.ConsumeIntegralInRange(0, 7)) {
    case 0: return p.ConsumeBool();
    case 1: return p.ConsumeIntegral<int64_t>();
    case 2: return p.ConsumeFloatingPoint<double>();
    case 3: return p.ConsumeRandomLengthString(40);
    case 4: { std::vector<bool> v; for (size_t i = 0; i < n; ++i) v.push_back(p.ConsumeBool()); return v; }
    case 5: { std::vector<int64_t> v; for (size_t i = 0; i < n; ++i) v.push_back(p.ConsumeIntegral<int64_t>()); return v; }
    case 6: { std::vector<double> v; for (size_t i = 0; i < n; ++i) v.push_back(p.ConsumeFloatingPoint<double>()); return v; }
    default: { std::vector<std::string> v; for (size_t i = 0; i < n; ++i) v.push_back(p.ConsumeRandomLengthString(10)); return v; }
  }
}

std::vector<Attribute> ConsumeAttributes(FuzzedDataProvider& p, size_t max) {
  std::vector<Attribute> attrs(p.ConsumeIntegralInRange<size_t>(0, max));
  for (auto& a : attrs) {
    a.key = p.ConsumeRandomLengthString(16);
    a.value = ConsumeValue(p);
  }
  return attrs;
}

SpanContext ConsumeContext(FuzzedDataProvider& p) {
  TraceId t = ConsumeId<16>(p);
  SpanId s = ConsumeId<8>(p);
  TraceFlags f{p.ConsumeIntegral<uint8_t>()};
  bool remote = p.ConsumeBool();
  TraceState state;
  TraceState::Parse(p.ConsumeRandomLengthString(40), &state);  // invalid -> empty
  return SpanContext(t, s, f, remote, state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // libprotobuf logs every invalid UTF-8 string it rejects; keep the run quiet.
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  static const InstrumentationScope kScopes[3] = {{"a", "1"}, {"b", ""}, {"bad\xff", "\xc0"}};
  FuzzedDataProvider p(data, size);

  Resource resource;
  resource.attributes = ConsumeAttributes(p, 3);
  std::vector<SpanData> batch(p.ConsumeIntegralInRange<size_t>(0, 6));
  for (SpanData& s : batch) {
    s.context = ConsumeContext(p);
    if (p.ConsumeBool()) s.parent_span_id = ConsumeId<8>(p);
    s.parent_is_remote = p.ConsumeBool();
    s.name = p.ConsumeRandomLengthString(64);
    s.kind = static_cast<SpanKind>(p.ConsumeIntegralInRange(1, 5));
    s.start_time_unix_nano = p.ConsumeIntegral<uint64_t>();
    s.end_time_unix_nano = p.ConsumeIntegral<uint64_t>();
    s.attributes = ConsumeAttributes(p, 5);
    s.dropped_attributes_count = p.ConsumeIntegral<uint32_t>();
    s.events.resize(p.ConsumeIntegralInRange<size_t>(0, 2));
    for (SpanEvent& e : s.events) {
      e.time_unix_nano = p.ConsumeIntegral<uint64_t>();
      e.name = p.ConsumeRandomLengthString(20);
      e.attributes = ConsumeAttributes(p, 2);
      e.dropped_attributes_count = p.ConsumeIntegral<uint32_t>();
    }
    s.dropped_events_count = p.ConsumeIntegral<uint32_t>();
    s.links.resize(p.ConsumeIntegralInRange<size_t>(0, 2));
    for (SpanLink& l : s.links) {
      l.context = ConsumeContext(p);
      l.attributes = ConsumeAttributes(p, 2);
    }
    s.dropped_links_count = p.ConsumeIntegral<uint32_t>();
    s.status_code = static_cast<SpanStatusCode>(p.ConsumeIntegralInRange(0, 2));
    s.status_message = p.ConsumeRandomLengthString(20);
    const int scope = p.ConsumeIntegralInRange(0, 3);
    s.scope = scope == 3 ? nullptr : &kScopes[scope];
  }

  const std::string body = internal::EncodeTraceRequestProto(batch, resource);
  pb::ExportTraceServiceRequest req;
  Check(req.ParseFromString(body), "libprotobuf rejected the encoded request");
  Check(req.resource_spans_size() == 1, "one ResourceSpans");
  const auto& rs = req.resource_spans(0);
  Check(rs.resource().attributes_size() == static_cast<int>(resource.attributes.size()),
        "resource attribute count");

  // Expected order: grouped by scope in order of first appearance.
  std::vector<const SpanData*> order;
  std::vector<const InstrumentationScope*> seen;
  for (const SpanData& s : batch) {
    bool known = false;
    for (auto* x : seen) known |= x == s.scope;
    if (!known) seen.push_back(s.scope);
  }
  for (auto* scope : seen)
    for (const SpanData& s : batch)
      if (s.scope == scope) order.push_back(&s);
  Check(rs.scope_spans_size() == static_cast<int>(seen.size()), "scope group count");

  size_t i = 0;
  for (const auto& ss : rs.scope_spans()) {
    for (const pb::Span& got : ss.spans()) {
      Check(i < order.size(), "too many spans");
      const SpanData& want = *order[i++];
      Check(want.scope == nullptr ? !ss.has_scope() : ss.scope().name() == Clean(want.scope->name),
            "scope name");
      Check(got.trace_id() == want.context.trace_id().AsBytes(), "trace_id");
      Check(got.span_id() == want.context.span_id().AsBytes(), "span_id");
      Check(got.trace_state() == want.context.trace_state().ToHeader(), "trace_state");
      Check(got.parent_span_id() ==
                (want.parent_span_id.IsValid() ? std::string(want.parent_span_id.AsBytes()) : ""),
            "parent_span_id");
      Check(got.flags() == want.OtlpFlags(), "flags");
      Check(got.name() == Clean(want.name), "name");
      Check(got.kind() == static_cast<int>(want.kind), "kind");
      Check(got.start_time_unix_nano() == want.start_time_unix_nano, "start time");
      Check(got.end_time_unix_nano() == want.end_time_unix_nano, "end time");
      Check(got.attributes_size() == static_cast<int>(want.attributes.size()), "attribute count");
      for (int a = 0; a < got.attributes_size(); ++a)
        Check(got.attributes(a).key() == Clean(want.attributes[a].key), "attribute key");
      Check(got.dropped_attributes_count() == want.dropped_attributes_count, "dropped attributes");
      Check(got.events_size() == static_cast<int>(want.events.size()), "event count");
      Check(got.links_size() == static_cast<int>(want.links.size()), "link count");
      Check(got.dropped_events_count() == want.dropped_events_count, "dropped events");
      Check(got.dropped_links_count() == want.dropped_links_count, "dropped links");
      Check(got.status().code() == static_cast<int>(want.status_code), "status code");
      Check(got.status().message() == Clean(want.status_message), "status message");
    }
  }
  Check(i == batch.size(), "span count");
  Check(req.SerializeAsString() == body, "bytes are not canonical");

  otlp::DecodedTraceRequest decoded;
  std::string error;
  Check(otlp::DecodeTraceRequest(body, &decoded, &error), "our decoder rejected our encoding");
  Check(decoded.spans().size() == batch.size(), "our decoder's span count");

  const std::string json = internal::EncodeTraceRequestJson(batch, resource);
  auto doc = callpath::testing::JsonParser::Parse(json);
  Check(doc.has_value(), "JSON body does not parse");
  size_t json_spans = 0;
  for (const auto& ss : (*doc)["resourceSpans"][0]["scopeSpans"].items) json_spans += ss["spans"].size();
  Check(json_spans == batch.size(), "JSON span count");
  return 0;
}
