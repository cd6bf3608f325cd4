#include "callpath/http/curl.h"

#include <string>
#include <utility>
#include <vector>

#include "callpath/propagation.h"

namespace callpath::http {

CURLcode CurlPerform(CURL* easy, std::string_view method, std::string_view url,
                     curl_slist* headers, const ClientOptions& options) {
  if (easy == nullptr) return CURLE_BAD_FUNCTION_ARGUMENT;
  HeaderMapCarrier::Headers fields;
  HeaderMapCarrier carrier(fields);
  ClientSpan span(method, url, carrier, options);

  // A private copy of the caller's list with the propagation fields added;
  // a caller-set field of the same name is replaced, not duplicated.
  curl_slist* list = nullptr;
  bool failed = false;
  auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) failed = true; else list = next;
  };
  for (curl_slist* it = headers; it != nullptr; it = it->next) {
    std::string_view line = it->data ? it->data : "";
    std::string_view name = line.substr(0, line.find(':'));
    bool replaced = false;
    for (const auto& [k, v] : fields) replaced |= detail::AsciiIEquals(k, name);
    if (!replaced) append(std::string(line));
  }
  for (const auto& [k, v] : fields) append(k + ": " + v);
  if (failed) {
    curl_slist_free_all(list);
    list = nullptr;
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list != nullptr ? list : headers);

  CURLcode rc = curl_easy_perform(easy);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_slist_free_all(list);

  if (rc == CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    span.End(static_cast<int>(code));
  } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
    span.span().End();  // the caller cancelled it: not an error
  } else {
    span.EndWithError(rc == CURLE_OPERATION_TIMEDOUT    ? "timeout"
                      : rc == CURLE_COULDNT_CONNECT     ? "connection_refused"
                      : rc == CURLE_COULDNT_RESOLVE_HOST ? "name_resolution_failed"
                                                         : "_OTHER",
                      curl_easy_strerror(rc));
  }
  return rc;
}

}  // namespace callpath::http
