// HttpTransport: POSTs OTLP bodies over HTTP(S) with libcurl, with the OTLP
// retry rules. A shared internal header: the span exporter and the
// logger's OTLP sink (callpath::log links callpath::sdk) both send through
// it; it is not installed.
//
// One transport keeps one curl easy handle, so consecutive requests to the
// same host reuse one keep-alive connection. Post is serialised internally
// (callers on several threads simply take turns); Shutdown and stats may be
// called from any thread at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "callpath/exporters.h"
#include "callpath/status.h"

namespace callpath::internal {

struct HttpTransportOptions {
  std::vector<std::pair<std::string, std::string>> headers;  // sent on every request
  // Bound on one Post, all attempts and waits included; 0 = no bound.
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;  // compress request bodies, send Content-Encoding: gzip
  OtlpRetryOptions retry;
  std::string user_agent;
  std::string certificate_file, client_certificate_file, client_key_file;
  // Response bytes kept beyond this are discarded (OTLP recommends 4 MiB).
  size_t max_response_bytes = 4u << 20;

  static HttpTransportOptions FromExporterOptions(const OtlpHttpExporterOptions& o);
};

// The outcome of the last attempt of a Post.
struct HttpResponse {
  long status = 0;           // HTTP status; 0 when no response arrived
  std::string body;          // at most max_response_bytes
  std::string content_type;  // the response's Content-Type
  int attempts = 0;          // requests made, 1 + retries
};

struct HttpTransportStats {
  uint64_t requests = 0;     // HTTP attempts
  uint64_t retries = 0;      // attempts after the first of a Post
  uint64_t failed_posts = 0; // Posts that did not end in 2xx
  uint64_t bytes_sent = 0;   // request bodies on the wire (after gzip)
};

class HttpTransport {
 public:
  explicit HttpTransport(HttpTransportOptions options);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // POSTs `body` to the absolute http(s) `url`. Retries 429/502/503/504 and
  // connection failures with full-jitter exponential backoff, or after the
  // server's Retry-After, while attempts and time remain.
  // Returns OK for a 2xx answer; InvalidArgument for another 4xx (and for a
  // malformed URL); Internal for another 5xx; Unavailable when retryable
  // failures used up the attempts; DeadlineExceeded when the time bound ran
  // out; FailedPrecondition after Shutdown. `response`, if given, receives
  // the last answer whatever the result.
  Status Post(std::string_view url, std::string_view body, std::string_view content_type,
              HttpResponse* response = nullptr);

  // Wakes a Post waiting to retry (it returns FailedPrecondition); every
  // later Post fails at once. An HTTP request already on the wire finishes
  // within its timeout.
  void Shutdown();

  HttpTransportStats stats() const;

 private:
  struct Curl;  // the easy handle and per-request scratch state

  // Waits `delay` unless Shutdown comes first; false if it did.
  bool WaitForRetry(std::chrono::milliseconds delay);
  Status Compress(std::string_view body);

  const HttpTransportOptions options_;
  std::mutex post_mu_;  // serialises Post: the curl handle is single-threaded
  std::unique_ptr<Curl> curl_;
  std::string compressed_;  // reused gzip output buffer

  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
  std::atomic<bool> shutdown_{false};

  std::atomic<uint64_t> requests_{0}, retries_{0}, failed_posts_{0}, bytes_sent_{0};
};

}  // namespace callpath::internal
