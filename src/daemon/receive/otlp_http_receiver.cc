#include "daemon/receive/otlp_http_receiver.h"

#include <cctype>

#include "daemon/receive/inflate.h"

namespace callpath::daemon {
namespace {

constexpr const char* kProtoType = "application/x-protobuf";
constexpr const char* kJsonType = "application/json";

// gRPC status codes used in google.rpc.Status bodies.
int GrpcCodeFor(int http_status) {
  switch (http_status) {
    case 400: return 3;   // INVALID_ARGUMENT
    case 401: return 16;  // UNAUTHENTICATED
    case 403: return 7;   // PERMISSION_DENIED
    case 404: return 5;   // NOT_FOUND
    case 405: return 12;  // UNIMPLEMENTED
    case 413: return 8;   // RESOURCE_EXHAUSTED
    case 415: return 3;
    case 429: return 8;
    case 503: return 14;  // UNAVAILABLE
    default: return 13;   // INTERNAL
  }
}

bool EncodingFor(std::string_view media, Encoding* enc) {
  if (media == "application/x-protobuf" || media == "application/protobuf") {
    *enc = Encoding::kProtobuf;
    return true;
  }
  if (media == "application/json") {
    *enc = Encoding::kJson;
    return true;
  }
  return false;
}

HttpResponse Error(int status, Encoding enc, std::string message) {
  HttpResponse r;
  r.status = status;
  r.content_type = enc == Encoding::kJson ? kJsonType : kProtoType;
  r.body = RpcStatusBody(enc, GrpcCodeFor(status), message);
  return r;
}

}  // namespace

std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  std::string out(t);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

HttpResponse OtlpHttpReceiver::ErrorResponse(int http_status, std::string_view content_type,
                                             std::string message) {
  Encoding enc = Encoding::kJson;
  if (!EncodingFor(MediaType(content_type), &enc)) enc = Encoding::kJson;
  return Error(http_status, enc, std::move(message));
}

void OtlpHttpReceiver::Handle(HttpRequest&& req, Responder respond) {
  HttpResponse ops_resp;
  if (ops_ && ops_(req, &ops_resp)) return respond(std::move(ops_resp));

  std::string_view path = req.path();
  Signal signal;
  if (path == "/v1/traces") signal = Signal::kTraces;
  else if (path == "/v1/logs") signal = Signal::kLogs;
  else return respond(ErrorResponse(404, req.content_type, "no such path: " + std::string(path) +
                                                               " (OTLP paths are /v1/traces and /v1/logs)"));
  Encoding enc;
  std::string media = MediaType(req.content_type);
  if (!EncodingFor(media, &enc)) {
    metrics_.http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
    return respond(Error(415, Encoding::kJson,
                         "unsupported Content-Type '" + media +
                             "'; use application/x-protobuf or application/json"));
  }
  if (req.method != "POST") {
    HttpResponse r = Error(405, enc, "use POST");
    r.headers.emplace_back("Allow", "POST");
    return respond(std::move(r));
  }
  metrics_.received_bytes.fetch_add(req.body.size(), std::memory_order_relaxed);

  std::string inflated;
  std::string_view body = req.body;
  std::string coding = MediaType(req.content_encoding);
  const bool zstd = coding == "zstd";
  if (coding == "gzip" || coding == "x-gzip" || coding == "deflate" || zstd) {
    InflateError inflate_error = zstd ? ZstdDecompressCapped(req.body, max_body_bytes_, inflated)
                                      : InflateCapped(req.body, max_body_bytes_, inflated);
    switch (inflate_error) {
      case InflateError::kNone: body = inflated; break;
      case InflateError::kTooLarge:
        metrics_.http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
        return respond(Error(413, enc, "decompressed body exceeds the limit of " +
                                           std::to_string(max_body_bytes_) + " bytes"));
      case InflateError::kCorrupt:
        metrics_.http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
        return respond(Error(400, enc, "body is not valid " + coding + " data"));
    }
  } else if (!coding.empty() && coding != "identity") {
    metrics_.http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
    return respond(Error(415, enc, "unsupported Content-Encoding '" + coding + "'; use gzip or zstd"));
  }
  if (body.size() > max_body_bytes_) {
    return respond(Error(413, enc, "body exceeds the limit of " + std::to_string(max_body_bytes_) + " bytes"));
  }
  metrics_.decompressed_bytes.fetch_add(body.size(), std::memory_order_relaxed);

  auto received_at = req.received_at;
  DaemonMetrics* metrics = &metrics_;
  exporter_.Export(signal, enc, req.tenant, body,
                   [respond = std::move(respond), enc, signal, received_at, metrics](ExportOutcome o) {
                     HttpResponse r;
                     switch (o.code) {
                       case ExportOutcome::Code::kOk:
                         r.status = 200;
                         r.content_type = enc == Encoding::kJson ? kJsonType : kProtoType;
                         r.body = ExportResponseBody(signal, enc, o.rejected, o.message);
                         break;
                       case ExportOutcome::Code::kInvalid: r = Error(400, enc, o.message); break;
                       case ExportOutcome::Code::kQueueFull:
                       case ExportOutcome::Code::kRateLimited:
                         r = Error(429, enc, o.message);
                         r.headers.emplace_back("Retry-After", std::to_string(o.retry_after_seconds));
                         break;
                       case ExportOutcome::Code::kStorageFull: r = Error(507, enc, o.message); break;
                       case ExportOutcome::Code::kUnavailable:
                         r = Error(503, enc, o.message);
                         r.headers.emplace_back("Retry-After", "1");
                         break;
                     }
                     if (r.status >= 500) metrics->http_requests_5xx.fetch_add(1, std::memory_order_relaxed);
                     else if (r.status >= 400) metrics->http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
                     metrics->export_latency[0][static_cast<int>(signal)].Observe(
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - received_at).count());
                     respond(std::move(r));
                   });
}

}  // namespace callpath::daemon
