#include "gateway/client_response.h"

#include <boost/beast/http/status.hpp>

#include "callpath/propagation.h"
#include "gateway/head_format.h"
#include "gateway/http_text.h"

namespace callpath::gateway {
namespace {

void AppendStatusLine(std::string& out, unsigned version, int status, std::string_view reason) {
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  AppendUnsigned(out, static_cast<uint64_t>(status));
  out.push_back(' ');
  if (reason.empty()) {
    const auto r = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
    reason = std::string_view(r.data(), r.size());
  }
  out.append(reason).append("\r\n", 2);
}

// The end of every response head: the trace, framing and connection fields.
void FinishHead(std::string& out, const SpanContext& span, const ClientFraming& framing,
                bool no_body, size_t body_size) {
  char traceresponse[kTraceparentSize];
  FormatTraceparent(span, traceresponse);
  AppendField(out, "traceresponse", std::string_view(traceresponse, kTraceparentSize));
  // "00-<trace id>-<span id>-<flags>": the trace id is already in hex there.
  AppendField(out, "X-Trace-ID", std::string_view(traceresponse + 3, TraceId::kHexSize));
  if (!no_body) {
    out.append("Content-Length: ");
    AppendUnsigned(out, body_size);
    out.append("\r\n", 2);
  }
  if (framing.version == 10) {
    if (framing.keep_alive) out.append("Connection: keep-alive\r\n");
  } else if (!framing.keep_alive) {
    out.append("Connection: close\r\n");
  }
  out.append("\r\n", 2);
}

}  // namespace

int WriteProxiedResponse(Exchange& ex, const SpanContext& span, const ClientFraming& framing) {
  const Message& res = ex.upstream_res;
  const int status = res.status();
  const bool no_body = framing.head_request || status < 200 || status == 204 || status == 304;
  ex.head.clear();
  AppendStatusLine(ex.head, framing.version, status, res.reason());
  for (size_t i = 0; i < res.field_count(); ++i) {
    const std::string_view name = res.field_name(i);
    // FinishHead writes no length for a body-less response, so the
    // upstream's is kept (for HEAD, the size a GET would return).
    if (IsHopByHopField(name) && !(no_body && detail::AsciiIEquals(name, "content-length"))) {
      continue;
    }
    if (IsOneOf(name, {"traceresponse", "x-trace-id"}) || res.IsConnectionOption(name)) continue;
    AppendField(ex.head, name, res.field_value(i));
  }
  FinishHead(ex.head, span, framing, no_body, res.body().size());
  ex.body = &res.body();
  return status;
}

void WriteErrorResponse(Exchange& ex, const SpanContext& span, const ClientFraming& framing,
                        int status, std::string_view message) {
  ex.error_body = ErrorBody(message, span.trace_id().ToHex());
  ex.head.clear();
  AppendStatusLine(ex.head, framing.version, status, {});
  ex.head.append("Content-Type: application/json\r\n");
  FinishHead(ex.head, span, framing, false, ex.error_body.size());
  static const std::string kEmpty;
  ex.body = framing.head_request ? &kEmpty : &ex.error_body;
}

void WriteOverloadedResponse(std::string& head, std::string& body) {
  body = ErrorBody("the gateway holds its limit of request bytes in memory; retry later", "");
  head.clear();
  AppendStatusLine(head, 11, 503, {});
  head.append("Content-Type: application/json\r\nRetry-After: 1\r\nContent-Length: ");
  AppendUnsigned(head, body.size());
  head.append("\r\nConnection: close\r\n\r\n");
}

void WriteParseErrorResponse(std::string& head, std::string& body, bool too_big) {
  body = ErrorBody(too_big ? "request too large" : "malformed request", "");
  head.clear();
  AppendStatusLine(head, 11, too_big ? 413 : 400, {});
  head.append("Content-Type: application/json\r\nContent-Length: ");
  AppendUnsigned(head, body.size());
  head.append("\r\nConnection: close\r\n\r\n");
}

}  // namespace callpath::gateway
