#include "cli/http_client.h"

#include <curl/curl.h>

namespace callpath::cli {
namespace {

// Responses larger than this are refused: the CLI holds them in memory.
constexpr size_t kMaxBody = 512u << 20;

size_t Collect(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * n > kMaxBody) return 0;  // aborts the transfer
  body->append(data, size * n);
  return size * n;
}

}  // namespace

HttpReply HttpGet(const std::string& url, long timeout_seconds) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  if (!curl) {
    reply.error = "cannot initialise libcurl";
    return reply;
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout_seconds < 10 ? timeout_seconds : 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "callpath-cli");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    reply.answered = true;
    reply.status = static_cast<int>(status);
  } else {
    reply.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    reply.body.clear();
  }
  curl_easy_cleanup(curl);
  return reply;
}

}  // namespace callpath::cli
