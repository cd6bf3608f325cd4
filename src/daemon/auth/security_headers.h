// Response headers every answer of the query port carries (UI pages, API
// answers): no MIME sniffing, no framing by other sites, no Referer leaking
// trace ids, and a Content-Security-Policy that allows no inline script
// and no origin but this one. A handler that sets one of them itself
// keeps its own value.
#pragma once

#include "daemon/receive/http_types.h"

namespace callpath::daemon::auth {

void AddSecurityHeaders(HttpResponse& response);

}  // namespace callpath::daemon::auth
