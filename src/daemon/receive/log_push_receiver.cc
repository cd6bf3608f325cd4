#include "daemon/receive/log_push_receiver.h"

#include <chrono>
#include <memory>

#include "daemon/receive/inflate.h"
#include "daemon/receive/otlp_http_receiver.h"
#include "logparse/es_bulk.h"
#include "logparse/loki_push.h"
#include "text/json_writer.h"

namespace callpath::daemon {
namespace {

constexpr std::string_view kLokiPath = "/loki/api/v1/push";
constexpr std::string_view kBulkSuffix = "/_bulk";
// The version Elasticsearch clients are told: 8.x, whose bulk API and
// product header (X-Elastic-Product) Filebeat 8 and the 8.x clients check.
constexpr std::string_view kEsVersion = "8.11.0";

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

HttpResponse LokiError(int status, std::string message) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(message) + "\n";
  if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse EsJson(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.headers.emplace_back("X-Elastic-Product", "Elasticsearch");
  if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse EsError(int status, std::string_view type, std::string_view reason) {
  text::JsonWriter j;
  j.BeginObject();
  j.Key("error");
  j.BeginObject();
  j.Field("type", type);
  j.Field("reason", reason);
  j.EndObject();
  j.FieldInt("status", status);
  j.EndObject();
  return EsJson(status, j.Take());
}

HttpResponse EsRoot() {
  text::JsonWriter j;
  j.BeginObject();
  j.Field("name", "callpathd");
  j.Field("cluster_name", "callpath");
  j.Field("cluster_uuid", "callpath");
  j.Key("version");
  j.BeginObject();
  j.Field("number", kEsVersion);
  j.Field("build_flavor", "default");
  j.Field("lucene_version", "9.8.0");
  j.Field("minimum_wire_compatibility_version", "7.17.0");
  j.Field("minimum_index_compatibility_version", "7.0.0");
  j.EndObject();
  j.Field("tagline", "You Know, for Search");
  j.EndObject();
  return EsJson(200, j.Take());
}

// The HTTP status an export outcome becomes (success: `ok_status`).
int StatusOf(const ExportOutcome& o, int ok_status) {
  switch (o.code) {
    case ExportOutcome::Code::kOk: return ok_status;
    case ExportOutcome::Code::kInvalid: return 400;
    case ExportOutcome::Code::kQueueFull: return 429;
    case ExportOutcome::Code::kRateLimited: return 429;
    case ExportOutcome::Code::kStorageFull: return 507;
    case ExportOutcome::Code::kUnavailable: return 503;
  }
  return 500;
}

// The outcome's own Retry-After (a tenant's rate limit says how long).
HttpResponse WithRetryAfter(HttpResponse r, const ExportOutcome& o) {
  for (auto& [name, value] : r.headers)
    if (name == "Retry-After") value = std::to_string(o.retry_after_seconds);
  return r;
}

}  // namespace

bool LogPushReceiver::Handles(std::string_view path) noexcept {
  return path == kLokiPath || path == "/" ||
         (path.size() >= kBulkSuffix.size() && path.substr(path.size() - kBulkSuffix.size()) == kBulkSuffix);
}

void LogPushReceiver::Handle(HttpRequest&& req, Responder respond) {
  const bool loki = req.path() == kLokiPath;
  auto fail = [&](int status, std::string message) {
    if (status >= 500) metrics_.http_requests_5xx.fetch_add(1, std::memory_order_relaxed);
    else if (status >= 400) metrics_.http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
    respond(loki ? LokiError(status, message) : EsError(status, "illegal_argument_exception", message));
  };
  if (req.path() == "/") {
    if (req.method == "GET" || req.method == "HEAD") return respond(EsRoot());
    return fail(405, "use GET on /");
  }
  if (req.method != "POST" && !(req.method == "PUT" && !loki)) return fail(405, "use POST");
  metrics_.received_bytes.fetch_add(req.body.size(), std::memory_order_relaxed);
  std::string inflated;
  std::string_view body = req.body;
  std::string coding = MediaType(req.content_encoding);
  if (coding == "gzip" || coding == "x-gzip" || coding == "deflate" || coding == "zstd") {
    InflateError e = coding == "zstd" ? ZstdDecompressCapped(req.body, max_body_bytes_, inflated)
                                      : InflateCapped(req.body, max_body_bytes_, inflated);
    if (e == InflateError::kTooLarge)
      return fail(413, "decompressed body exceeds the limit of " + std::to_string(max_body_bytes_) + " bytes");
    if (e == InflateError::kCorrupt) return fail(400, "body is not valid " + coding + " data");
    body = inflated;
  } else if (!coding.empty() && coding != "identity") {
    return fail(415, "unsupported Content-Encoding '" + coding + "'; use gzip or zstd");
  }
  metrics_.decompressed_bytes.fetch_add(body.size(), std::memory_order_relaxed);
  if (loki) HandleLoki(std::move(req), body, std::move(respond));
  else HandleBulk(std::move(req), body, std::move(respond));
}

void LogPushReceiver::HandleLoki(HttpRequest&& req, std::string_view body, Responder respond) {
  std::string media = MediaType(req.content_type);
  logparse::PushedLogs pushed;
  Status s;
  if (media == "application/x-protobuf" || media == "application/protobuf") {
    s = logparse::DecodeLokiPushProto(body, max_body_bytes_, &pushed);
  } else if (media == "application/json" || media.empty()) {
    s = logparse::DecodeLokiPushJson(body, &pushed);
  } else {
    metrics_.http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
    return respond(LokiError(415, "unsupported Content-Type '" + media +
                                      "'; Loki pushes are application/x-protobuf (snappy) or application/json"));
  }
  if (!s.ok()) {
    metrics_.logs.rejected.fetch_add(1, std::memory_order_relaxed);
    metrics_.http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
    return respond(LokiError(400, s.message()));
  }
  HttpResponse no_content;
  no_content.status = 204;
  if (pushed.record_count() == 0) return respond(std::move(no_content));
  std::string otlp = pushed.EncodeOtlp(NowNs());
  DaemonMetrics* metrics = &metrics_;
  exporter_.Export(Signal::kLogs, Encoding::kProtobuf, req.tenant, otlp,
                   [respond = std::move(respond), metrics](ExportOutcome o) {
                     int status = StatusOf(o, 204);
                     if (status >= 500) metrics->http_requests_5xx.fetch_add(1, std::memory_order_relaxed);
                     else if (status >= 400) metrics->http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
                     if (status == 204) {
                       HttpResponse r;
                       r.status = 204;
                       return respond(std::move(r));
                     }
                     respond(WithRetryAfter(LokiError(status, o.message), o));
                   });
}

void LogPushReceiver::HandleBulk(HttpRequest&& req, std::string_view body, Responder respond) {
  const auto started = std::chrono::steady_clock::now();
  std::string_view path = req.path();
  std::string_view index = path.substr(0, path.size() - kBulkSuffix.size());
  if (!index.empty() && index.front() == '/') index.remove_prefix(1);
  logparse::PushedLogs pushed;
  auto items = std::make_shared<std::vector<logparse::BulkItem>>();
  Status s = logparse::DecodeEsBulk(body, index, &pushed, items.get());
  if (!s.ok()) {
    metrics_.logs.rejected.fetch_add(1, std::memory_order_relaxed);
    metrics_.http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
    return respond(EsError(400, "illegal_argument_exception", s.message()));
  }
  auto took_ms = [started] {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - started)
                                     .count());
  };
  if (pushed.record_count() == 0) return respond(EsJson(200, logparse::EsBulkResponse(*items, took_ms())));
  std::string otlp = pushed.EncodeOtlp(NowNs());
  DaemonMetrics* metrics = &metrics_;
  exporter_.Export(Signal::kLogs, Encoding::kProtobuf, req.tenant, otlp,
                   [respond = std::move(respond), metrics, items, took_ms](ExportOutcome o) {
                     int status = StatusOf(o, 200);
                     if (status == 200) return respond(EsJson(200, logparse::EsBulkResponse(*items, took_ms())));
                     if (status >= 500) metrics->http_requests_5xx.fetch_add(1, std::memory_order_relaxed);
                     else metrics->http_requests_4xx.fetch_add(1, std::memory_order_relaxed);
                     respond(WithRetryAfter(
                         EsError(status,
                                 status == 429 || status == 507 ? "es_rejected_execution_exception"
                                                                : "illegal_argument_exception",
                                 o.message),
                         o));
                   });
}

}  // namespace callpath::daemon
