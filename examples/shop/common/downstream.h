// Calling another shop service over HTTP: one traced request (a CLIENT span
// under the current span, trace context in the headers) with a timeout, and
// a result that says what went wrong in words a log line can carry.
#pragma once

#include <string>
#include <string_view>

#include "common/faults.h"

namespace shop {

struct CallResult {
  int status = 0;           // 0: no response (see error)
  std::string body;
  std::string error;        // "connection refused", "timed out after 500ms", ...
  bool timed_out = false;   // no answer within the timeout
  Millis elapsed{0};

  bool ok() const noexcept { return status >= 200 && status < 300; }
  // Worth another attempt: no answer, or a 5xx (never a 4xx: the request
  // itself is wrong).
  bool retryable() const noexcept { return status == 0 || status >= 500; }
  // "HTTP 500: card processor unavailable", "timed out after 3000ms".
  std::string Describe() const;
};

// A downstream HTTP service. Thread-safe: each call uses its own
// connection (these services see a few requests a second).
class HttpDownstream {
 public:
  // `base_url` is "http://host:port".
  HttpDownstream(std::string base_url, Millis timeout)
      : base_url_(std::move(base_url)), timeout_(timeout) {}

  CallResult Get(const std::string& path) const;
  CallResult PostJson(const std::string& path, const std::string& body) const;

  const std::string& base_url() const noexcept { return base_url_; }
  Millis timeout() const noexcept { return timeout_; }

 private:
  CallResult Call(const std::string& method, const std::string& path, const std::string& body) const;

  std::string base_url_;
  Millis timeout_;
};

}  // namespace shop
