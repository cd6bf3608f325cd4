// The native API's answers, shared by every handler under serve/: a JSON
// body, and the error shape {"error":"what is wrong","status":N}.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "daemon/receive/http_types.h"
#include "text/json_escape.h"

namespace callpath::daemon {

inline HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

inline HttpResponse NativeError(int status, std::string_view message) {
  std::string body = "{\"error\":";
  text::AppendJsonQuoted(message, &body);
  body += ",\"status\":" + std::to_string(status) + "}";
  return JsonResponse(status, std::move(body));
}

}  // namespace callpath::daemon
