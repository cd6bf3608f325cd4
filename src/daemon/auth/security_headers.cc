#include "daemon/auth/security_headers.h"

#include <strings.h>

namespace callpath::daemon::auth {
namespace {

constexpr std::pair<const char*, const char*> kHeaders[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
     "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
};

bool Has(const HttpResponse& r, const char* name) {
  for (const auto& [k, v] : r.headers)
    if (strcasecmp(k.c_str(), name) == 0) return true;
  return false;
}

}  // namespace

void AddSecurityHeaders(HttpResponse& response) {
  for (const auto& [name, value] : kHeaders)
    if (!Has(response, name)) response.headers.emplace_back(name, value);
}

}  // namespace callpath::daemon::auth
