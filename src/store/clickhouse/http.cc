#include "store/clickhouse/http.h"

#include <curl/curl.h>

#include "text/hex.h"

namespace callpath::store::ch {

namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string Escape(CURL* curl, std::string_view s) {
  char* e = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

}  // namespace

Http::Http(std::string url, long timeout_seconds, std::string settings, TlsFiles tls)
    : url_(std::move(url)),
      timeout_seconds_(timeout_seconds),
      settings_(std::move(settings)),
      tls_(std::move(tls)) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

Http::~Http() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* Http::TakeHandle() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void Http::GiveBack(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < 16) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

Result<std::string> Http::Query(std::string_view sql) {
  // Statements go in the body (no length limit); a POST may modify data.
  return Perform({}, sql);
}

Status Http::Insert(std::string_view sql, std::string_view rows) {
  Result<std::string> r = Perform(sql, rows);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::string> Http::Perform(std::string_view sql, std::string_view body) {
  CURL* curl = static_cast<CURL*>(TakeHandle());
  if (curl == nullptr) return Internal("cannot initialise libcurl");
  curl_easy_reset(curl);
  std::string url = url_ + "/?" + settings_;
  if (!sql.empty()) url += (settings_.empty() ? "query=" : "&query=") + Escape(curl, sql);
  std::string answer;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds_);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  // libcurl verifies by default; said explicitly so no later default or
  // environment can turn it off.
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!tls_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls_.ca_file.c_str());
  if (!tls_.cert_file.empty() && !tls_.key_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, tls_.cert_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, tls_.key_file.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/octet-stream");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  long status = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  GiveBack(curl);
  if (rc != CURLE_OK) {
    return Unavailable("clickhouse at " + url_ + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  }
  if (status == 200) return answer;
  while (!answer.empty() && (answer.back() == '\n' || answer.back() == ' ')) answer.pop_back();
  std::string what = "clickhouse at " + url_ + " answered " + std::to_string(status) + ": " + answer.substr(0, 2000);
  // The exception code tells a statement that can never run from a server
  // in trouble. Anything else is worth retrying: a server shutting down
  // answers "table doesn't exist" (404) while it detaches its tables.
  const bool refused = answer.find("Code: 62,") != std::string::npos ||   // syntax error
                       answer.find("Code: 47,") != std::string::npos ||   // unknown identifier
                       answer.find("Code: 53,") != std::string::npos ||   // type mismatch
                       answer.find("Code: 43,") != std::string::npos;     // illegal argument type
  return refused ? Status(StatusCode::kInvalidArgument, what) : Unavailable(what);
}

std::string Quote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "'";
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    if (c == '\'' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('\'');
  return out;
}

std::string HexLiteral(std::string_view bytes) {
  return "toFixedString(unhex('" + text::HexString(bytes) + "'), " + std::to_string(bytes.size()) + ")";
}

}  // namespace callpath::store::ch
