// A blocking HTTP GET with libcurl, for talking to callpathd's query API.
#pragma once

#include <string>

namespace callpath::cli {

struct HttpReply {
  // false: no HTTP answer at all (connection refused, DNS, timeout);
  // `error` says why and `status` is 0.
  bool answered = false;
  int status = 0;
  std::string body;
  std::string error;
};

// GETs `url` and reads the whole body. Redirects are not followed (the API
// does not redirect); gzip/deflate answers are accepted. Thread-compatible;
// never throws.
HttpReply HttpGet(const std::string& url, long timeout_seconds);

}  // namespace callpath::cli
