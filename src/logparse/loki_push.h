// Decoders for Loki's push API (POST /loki/api/v1/push), so Promtail,
// Grafana Alloy, Fluent Bit's loki output and the Loki client libraries can
// send to callpathd.
//
// Protobuf (Content-Type application/x-protobuf): a snappy-compressed (block
// format) logproto.PushRequest:
//   PushRequest   { repeated StreamAdapter streams = 1; }
//   StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
//   EntryAdapter  { google.protobuf.Timestamp timestamp = 1; string line = 2;
//                   repeated LabelPairAdapter structuredMetadata = 3; }
//   LabelPairAdapter { string name = 1; string value = 2; }
// JSON: {"streams":[{"stream":{"label":"value",...},
//                    "values":[["<unix ns>","<line>",{<metadata>}],...]}]}
// (the metadata object is optional), or the older
// {"streams":[{"labels":"{a=\"b\"}","entries":[{"ts":"<RFC 3339>","line":"…"}]}]}.
//
// A stream's labels become its resource attributes, except the first of
// service_name, service, app, job, which becomes service.name. Each line is
// parsed as LineParser's "auto" format (JSON, logfmt or text), its
// structured metadata added as attributes, and trace ids picked from both;
// the entry's timestamp is the record's time. Pure; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "callpath/attributes.h"
#include "callpath/status.h"
#include "logparse/pushed_logs.h"

namespace callpath::logparse {

// InvalidArgument, with the reason, for a body that is not a PushRequest
// (or whose snappy data is corrupt or would inflate past max_bytes).
Status DecodeLokiPushProto(std::string_view snappy_body, size_t max_bytes, PushedLogs* out);
Status DecodeLokiPushJson(std::string_view body, PushedLogs* out);

// Prometheus label-set text: {name="value", other="with \"escapes\""}.
Status ParseLokiLabels(std::string_view text, std::vector<Attribute>* out);

}  // namespace callpath::logparse
