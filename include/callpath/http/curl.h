// Tracing for libcurl easy handles.
//
//   CURL* easy = curl_easy_init();
//   curl_easy_setopt(easy, CURLOPT_URL, "http://inventory:8080/items/7");
//   curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
//   CURLcode rc = callpath::http::CurlPerform(easy, "GET", "http://inventory:8080/items/7",
//                                             headers);
//   curl_slist_free_all(headers);
//
// CurlPerform wraps curl_easy_perform in a CLIENT span (a child of the
// calling thread's current Context): it sends the caller's header list plus
// the propagation fields, records the response code, and on return leaves
// CURLOPT_HTTPHEADER pointing at the caller's list again. The method and URL
// are passed again because libcurl offers no way to read them back before
// the transfer; they must match what the handle was set up with.
//
// Threads: as curl_easy_perform (one thread per handle at a time).
// Errors: the CURLcode is returned unchanged; a transfer error ends the span
// with Error, error.type (timeout, connection_refused, ...) and curl's message.
#pragma once

#include <curl/curl.h>

#include <string_view>

#include "callpath/http/client_span.h"

namespace callpath::http {

// `headers` is the caller's list (may be null); it is neither modified nor
// freed. Redirects followed by libcurl stay inside the one span.
CURLcode CurlPerform(CURL* easy, std::string_view method, std::string_view url,
                     curl_slist* headers = nullptr, const ClientOptions& options = {});

}  // namespace callpath::http
