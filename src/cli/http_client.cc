#include "cli/http_client.h"

#include <curl/curl.h>

#include <strings.h>

#include <cctype>
#include <cstdlib>

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

// One "Name: value" line of the response header.
size_t CollectHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t begin = line.find_first_not_of(" \t", colon + 1);
    size_t end = line.find_last_not_of(" \t\r\n");
    headers->emplace_back(std::move(name), begin == std::string::npos || end < begin
                                               ? std::string()
                                               : line.substr(begin, end - begin + 1));
  }
  return size * n;
}

}  // namespace

std::string HttpReply::Header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

HttpReply HttpGet(const std::string& url, long timeout_seconds) {
  HttpCall call;
  call.url = url;
  call.timeout_seconds = timeout_seconds;
  return HttpPerform(call);
}

HttpReply HttpPerform(const HttpCall& call) {
  const std::string& url = call.url;
  const long timeout_seconds = call.timeout_seconds;
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
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_slist* fields = nullptr;
  bool has_authorization = false;
  for (const auto& [name, value] : call.headers) {
    fields = curl_slist_append(fields, (name + ": " + value).c_str());
    has_authorization |= strcasecmp(name.c_str(), "Authorization") == 0;
  }
  // An API key for a callpathd started with --keys-file.
  if (const char* token = std::getenv("CALLPATH_TOKEN"); token && *token && !has_authorization) {
    fields = curl_slist_append(fields, (std::string("Authorization: Bearer ") + token).c_str());
  }
  if (fields) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, fields);
  if (call.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(fields);
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
