#include "sdk/export/http_transport.h"

#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "callpath/ids.h"
#include "sdk/export/otlp_http_response.h"
#include "sdk/export/otlp_http_retry.h"

namespace callpath::internal {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool HeaderNameIs(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (Lower(line[i]) != name[i]) return false;
  }
  return true;
}

std::string_view TrimHeaderValue(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n')) {
    v.remove_suffix(1);
  }
  return v;
}

// Failures where the request may not have reached the server, or the
// connection broke: the OTLP spec asks for a retry with backoff.
bool IsRetryableCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

Status StatusForHttp(long code, std::string_view url, const std::string& reason) {
  std::string m = "HTTP " + std::to_string(code) + " from " + std::string(url);
  if (!reason.empty()) m += ": " + reason;
  if (code >= 400 && code < 500) return InvalidArgument(std::move(m));
  if (IsRetryableHttpStatus(code)) return Unavailable(std::move(m));
  return Internal(std::move(m));
}

}  // namespace

struct HttpTransport::Curl {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string headers_content_type;  // the Content-Type `headers` was built with
  bool headers_built = false;
  z_stream zs{};
  bool zs_ready = false;
  char error[CURL_ERROR_SIZE] = {};

  // Per attempt, filled by the callbacks.
  std::string response_body;
  std::string response_content_type;
  std::string retry_after;
  size_t max_body = 0;

  ~Curl() {
    if (zs_ready) deflateEnd(&zs);
    if (headers) curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }

  static size_t OnBody(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<Curl*>(user);
    size_t len = size * n;
    size_t room = self->max_body > self->response_body.size()
                      ? self->max_body - self->response_body.size() : 0;
    self->response_body.append(data, std::min(len, room));
    return len;  // keep reading past the cap so the connection stays usable
  }

  static size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<Curl*>(user);
    std::string_view line(data, size * n);
    if (line.starts_with("HTTP/")) {
      // A new response (e.g. after "100 Continue"): forget the previous one's headers.
      self->retry_after.clear();
      self->response_content_type.clear();
    } else if (HeaderNameIs(line, "retry-after")) {
      self->retry_after.assign(TrimHeaderValue(line.substr(12)));
    } else if (HeaderNameIs(line, "content-type")) {
      self->response_content_type.assign(TrimHeaderValue(line.substr(13)));
    }
    return size * n;
  }
};

HttpTransportOptions HttpTransportOptions::FromExporterOptions(const OtlpHttpExporterOptions& o) {
  HttpTransportOptions t;
  t.headers = o.headers;
  t.timeout = o.timeout;
  t.gzip = o.compression == OtlpCompression::kGzip;
  t.retry = o.retry;
  t.user_agent = o.user_agent;
  t.certificate_file = o.certificate_file;
  t.client_certificate_file = o.client_certificate_file;
  t.client_key_file = o.client_key_file;
  return t;
}

HttpTransport::HttpTransport(HttpTransportOptions options)
    : options_(std::move(options)), curl_(std::make_unique<Curl>()) {
  GlobalInitOnce();
  CURL* e = curl_easy_init();
  curl_->easy = e;
  if (e == nullptr) return;  // Post reports it
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM: we run in threaded programs
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(e, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, curl_->error);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Curl::OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, curl_.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Curl::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, curl_.get());
  if (!options_.user_agent.empty()) curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  if (!options_.certificate_file.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, options_.certificate_file.c_str());
  }
  if (!options_.client_certificate_file.empty()) {
    curl_easy_setopt(e, CURLOPT_SSLCERT, options_.client_certificate_file.c_str());
  }
  if (!options_.client_key_file.empty()) {
    curl_easy_setopt(e, CURLOPT_SSLKEY, options_.client_key_file.c_str());
  }
}

HttpTransport::~HttpTransport() = default;

void HttpTransport::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    shutdown_.store(true);
  }
  wait_cv_.notify_all();
}

HttpTransportStats HttpTransport::stats() const {
  HttpTransportStats s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.failed_posts = failed_posts_.load(std::memory_order_relaxed);
  s.bytes_sent = bytes_sent_.load(std::memory_order_relaxed);
  return s;
}

bool HttpTransport::WaitForRetry(milliseconds delay) {
  std::unique_lock<std::mutex> lock(wait_mu_);
  return !wait_cv_.wait_for(lock, delay, [this] { return shutdown_.load(); });
}

Status HttpTransport::Compress(std::string_view body) {
  if (body.size() > UINT_MAX) return InvalidArgument("request body too large to compress");
  z_stream& zs = curl_->zs;
  if (!curl_->zs_ready) {
    // Level 1: on a busy exporter thread it is ~3x faster than the default
    // level and still removes most of the redundancy in OTLP bodies.
    // windowBits 15 + 16 asks zlib for a gzip wrapper.
    if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Internal("zlib deflateInit2 failed");
    }
    curl_->zs_ready = true;
  } else if (deflateReset(&zs) != Z_OK) {
    return Internal("zlib deflateReset failed");
  }
  compressed_.resize(deflateBound(&zs, static_cast<uLong>(body.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uInt>(body.size());
  zs.next_out = reinterpret_cast<Bytef*>(compressed_.data());
  zs.avail_out = static_cast<uInt>(compressed_.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) return Internal("zlib deflate failed");
  compressed_.resize(zs.total_out);
  return Status();
}

Status HttpTransport::Post(std::string_view url, std::string_view body,
                           std::string_view content_type, HttpResponse* response) {
  std::lock_guard<std::mutex> post_lock(post_mu_);
  HttpResponse scratch;
  HttpResponse& out = response ? *response : scratch;
  out = HttpResponse();

  auto fail = [&](Status s) {
    failed_posts_.fetch_add(1, std::memory_order_relaxed);
    return s;
  };
  if (shutdown_.load()) return fail(FailedPrecondition("HTTP transport is shut down"));
  CURL* e = curl_->easy;
  if (e == nullptr) return fail(Internal("curl_easy_init failed"));

  const Clock::time_point start = Clock::now();
  const bool bounded = options_.timeout.count() > 0;
  const Clock::time_point deadline = bounded ? start + options_.timeout : Clock::time_point::max();

  std::string_view payload = body;
  if (options_.gzip) {
    if (Status s = Compress(body); !s.ok()) return fail(std::move(s));
    payload = compressed_;
  }

  if (!curl_->headers_built || curl_->headers_content_type != content_type) {
    if (curl_->headers) curl_slist_free_all(curl_->headers);
    curl_slist* list = nullptr;
    list = curl_slist_append(list, ("Content-Type: " + std::string(content_type)).c_str());
    if (options_.gzip) list = curl_slist_append(list, "Content-Encoding: gzip");
    // Without this curl waits for "100 Continue" before sending large
    // bodies: one more round trip per batch for nothing.
    list = curl_slist_append(list, "Expect:");
    for (const auto& [k, v] : options_.headers) {
      list = curl_slist_append(list, (k + ": " + v).c_str());
    }
    curl_->headers = list;
    curl_->headers_content_type.assign(content_type);
    curl_->headers_built = true;
  }

  const std::string url_text(url);
  curl_easy_setopt(e, CURLOPT_URL, url_text.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, curl_->headers);
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, payload.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  curl_->max_body = options_.max_response_bytes;

  Status last;
  for (int attempt = 1;; ++attempt) {
    long timeout_ms = 0;
    if (bounded) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        return fail(DeadlineExceeded("export timeout of " + std::to_string(options_.timeout.count()) +
                                     " ms reached" + (last.ok() ? "" : "; last error: " + last.message())));
      }
      timeout_ms = static_cast<long>(std::min<int64_t>(left, LONG_MAX));
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_->response_body.clear();
    curl_->response_content_type.clear();
    curl_->retry_after.clear();
    curl_->error[0] = '\0';

    requests_.fetch_add(1, std::memory_order_relaxed);
    if (attempt > 1) retries_.fetch_add(1, std::memory_order_relaxed);
    bytes_sent_.fetch_add(payload.size(), std::memory_order_relaxed);
    const CURLcode rc = curl_easy_perform(e);

    out.attempts = attempt;
    bool retryable;
    std::optional<milliseconds> server_delay;
    if (rc == CURLE_OK) {
      long code = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
      out.status = code;
      out.body.swap(curl_->response_body);
      out.content_type.swap(curl_->response_content_type);
      if (code >= 200 && code < 300) return Status();
      const bool json = out.content_type.find("json") != std::string::npos;
      last = StatusForHttp(code, url, DescribeErrorBody(out.body, json));
      retryable = IsRetryableHttpStatus(code);
      if (retryable && !curl_->retry_after.empty()) {
        server_delay = ParseRetryAfter(curl_->retry_after, std::chrono::system_clock::now());
      }
    } else {
      out.status = 0;
      out.body.clear();
      out.content_type.clear();
      std::string m = std::string(curl_easy_strerror(rc));
      if (curl_->error[0] != '\0') m += " (" + std::string(curl_->error) + ")";
      m = "POST " + url_text + ": " + m;
      retryable = IsRetryableCurlError(rc);
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        last = DeadlineExceeded(std::move(m));
      } else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
        last = InvalidArgument(std::move(m));
      } else {
        last = Unavailable(std::move(m));
      }
    }

    if (!retryable) return fail(std::move(last));
    if (attempt >= std::max(options_.retry.max_attempts, 1)) {
      return fail(Status(last.code() == StatusCode::kDeadlineExceeded ? last.code() : StatusCode::kUnavailable,
                         "gave up after " + std::to_string(attempt) + " attempts: " + last.message()));
    }
    const milliseconds delay =
        server_delay ? *server_delay : FullJitterBackoff(options_.retry, attempt, RandomU64());
    if (bounded && Clock::now() + delay >= deadline) {
      return fail(DeadlineExceeded("next retry (in " + std::to_string(delay.count()) +
                                   " ms) would pass the export timeout; last error: " + last.message()));
    }
    if (!WaitForRetry(delay)) {
      return fail(FailedPrecondition("HTTP transport shut down while waiting to retry; last error: " +
                                     last.message()));
    }
  }
}

}  // namespace callpath::internal
