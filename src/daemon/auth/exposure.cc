#include "daemon/auth/exposure.h"

#include <boost/asio/ip/address.hpp>

namespace callpath::daemon::auth {

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

namespace {

bool IsWildcard(const std::string& host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

}  // namespace

ExposureCheck CheckExposure(const std::vector<Listener>& listeners, bool have_keys, bool have_tls,
                            bool have_mtls, bool insecure) {
  ExposureCheck out;
  std::string refused;
  for (const Listener& l : listeners) {
    if (l.configured.empty() || IsLoopbackHost(l.host)) continue;
    std::string where = IsWildcard(l.host) ? "every network interface (" + l.host + ")" : l.host;
    if (IsWildcard(l.host)) {
      out.warnings.push_back(l.flag + " '" + l.configured + "' listens on EVERY network interface, not only this machine;"
                             " use 127.0.0.1:PORT to stay local");
    }
    if (have_keys || have_mtls) {
      if (!have_tls) {
        out.warnings.push_back(l.flag + " listens on " + where + " without TLS: API keys and data cross the network in"
                               " clear text (--tls-cert/--tls-key)");
      }
      continue;
    }
    if (insecure) {
      out.warnings.push_back(l.flag + " listens on " + where + " with NO authentication (--insecure): anyone who can"
                             " connect can write and read every trace and log");
      continue;
    }
    refused += (refused.empty() ? "" : "; ") + l.flag + " '" + l.configured + "' would listen on " + where;
  }
  if (!refused.empty()) {
    out.status = FailedPrecondition(
        "refusing to listen beyond this machine without authentication: " + refused +
        ". Anyone who can reach the port could write spans and read every trace and log. Create keys with"
        " 'callpathd key new --keys-file FILE --tenant T --scopes ingest,query' and pass --keys-file FILE"
        " (or require client certificates with --tls-client-ca), listen on 127.0.0.1, or pass --insecure"
        " to accept the risk.");
  }
  return out;
}

}  // namespace callpath::daemon::auth
