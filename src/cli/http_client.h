// Blocking HTTP requests with libcurl, for talking to callpathd's query API.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace callpath::cli {

struct HttpReply {
  // false: no HTTP answer at all (connection refused, DNS, timeout);
  // `error` says why and `status` is 0.
  bool answered = false;
  int status = 0;
  std::string body;
  std::string error;
  // Response header fields, names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first field named `lower_name`, "" if none.
  std::string Header(const std::string& lower_name) const;
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // request fields
  long timeout_seconds = 30;
};

// Performs `call` and reads the whole answer. When CALLPATH_TOKEN is set
// and `call` has no Authorization field, sends "Authorization: Bearer
// $CALLPATH_TOKEN" (callpathd's API keys). Redirects are not followed;
// gzip/deflate answers are accepted. Thread-compatible; never throws.
HttpReply HttpPerform(const HttpCall& call);

// HttpPerform of a GET of `url`.
HttpReply HttpGet(const std::string& url, long timeout_seconds);

}  // namespace callpath::cli
