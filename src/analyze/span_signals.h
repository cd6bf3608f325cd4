// What one span says about itself (internal to src/analyze): whether it
// failed, whether the failure was a timeout, and which callee a client
// span was calling. Spans from any SDK: status codes may be missing, so
// the HTTP and gRPC attributes and exception events are read too.
#pragma once

#include <string>

#include "analyze/baseline.h"
#include "store/model.h"

namespace callpath::analyze::detail {

struct FailureSignal {
  bool failed = false;
  bool timed_out = false;  // a timeout or deadline, by its words or codes
  std::string why;         // "stock database unavailable", "HTTP 503", ...
};

// Status ERROR fails a span and status OK clears it; with the status
// unset, an HTTP status >= 500, a failing gRPC code (UNKNOWN,
// DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNIMPLEMENTED, INTERNAL,
// UNAVAILABLE, DATA_LOSS), an exception event or error=true fail it.
FailureSignal FailureOf(const store::StoredSpan& span);

// The service a client span without a callee span was calling, when one
// should have answered with a span: the baseline's usual callee of that
// call (when it was reached in most calls), else the service its
// attributes name (peer.service, server.address, net.peer.name,
// rpc.service, db.namespace, db.system, URL host) if that service is known
// to send spans, else - for a failed call - its peer.service. "" when no
// callee span was to be expected (a database, an external API).
std::string ExpectedCallee(const Baseline& baseline, const store::StoredSpan& client, bool failed);

// The callee a client span names, for a person (the first of the
// attributes above, a host without its port). "" when it names none.
std::string CalleeNameOf(const store::StoredSpan& client);

// The text of attribute `key` of `span` ("" when absent).
std::string AttributeText(const store::StoredSpan& span, std::string_view key);

}  // namespace callpath::analyze::detail
