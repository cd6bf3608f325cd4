// Secure by default: which listen addresses callpathd accepts without
// authentication, and the warnings it prints about the others.
#pragma once

#include <string>
#include <vector>

#include "callpath/status.h"

namespace callpath::daemon::auth {

// 127.0.0.0/8, ::1, "localhost".
bool IsLoopbackHost(const std::string& host);

struct Listener {
  std::string flag;  // "--query-listen"
  std::string configured;  // as given: ":16686"
  std::string host;        // after SplitHostPort: "0.0.0.0"
};

struct ExposureCheck {
  Status status;                      // error: refuse to start, with why
  std::vector<std::string> warnings;  // print, then go on
};

// A listener on a non-loopback address needs API keys or mutual TLS
// (a client certificate authenticates the client), unless `insecure`.
// Wildcard addresses ("", 0.0.0.0, ::) are named as "every interface".
ExposureCheck CheckExposure(const std::vector<Listener>& listeners, bool have_keys, bool have_tls,
                            bool have_mtls, bool insecure);

}  // namespace callpath::daemon::auth
