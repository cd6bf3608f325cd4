// A ClickHouse server reached over its HTTP interface (libcurl): the SQL
// goes in the URL's `query` parameter, an insert's rows (RowBinary) in the
// request body, and the answer comes back as the response body. Keep-alive
// connections are pooled.
//
// Errors: InvalidArgument when ClickHouse refuses the statement itself (a
// syntax, identifier or type error: retrying cannot help); Unavailable for
// everything else (unreachable, shutting down, overloaded, a missing table
// while it starts): retrying may help. The message carries ClickHouse's
// own text.
// Threads: every method may be called from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"

namespace callpath::store::ch {

// TLS for an https:// endpoint: the peer is always verified (chain and host
// name, TLS 1.2 at least); these name the CA to trust ("" = the system's)
// and an optional client certificate and key (PEM files).
struct TlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

class Http {
 public:
  // `url` is the server's HTTP endpoint, e.g. http://127.0.0.1:8123 or
  // https://ch.example:8443; `settings` ("name=value&...") go with every
  // request.
  Http(std::string url, long timeout_seconds, std::string settings = "", TlsFiles tls = {});
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // Runs `sql` (a statement with its FORMAT clause if it answers) and
  // returns the response body.
  Result<std::string> Query(std::string_view sql);
  // Runs `sql` (INSERT INTO t FORMAT RowBinary) with `rows` as its data.
  Status Insert(std::string_view sql, std::string_view rows);
  const std::string& url() const { return url_; }

 private:
  Result<std::string> Perform(std::string_view sql, std::string_view body);
  void* TakeHandle();
  void GiveBack(void* handle);

  std::string url_;  // without a trailing slash
  const long timeout_seconds_;
  const std::string settings_;
  const TlsFiles tls_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* kept for their connections
};

// `s` as a ClickHouse single-quoted string literal (backslash escapes; any
// byte allowed).
std::string Quote(std::string_view s);
// `bytes` as an expression of type FixedString(N): unhex('...').
std::string HexLiteral(std::string_view bytes);

}  // namespace callpath::store::ch
