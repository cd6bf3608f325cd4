// Which key scope each request needs, and the gate the HTTP server runs on
// every request's header before any handler sees it (and before its body is
// read), so that an endpoint added later is covered without knowing it.
//
// Ingest listener (OTLP/HTTP and every receiver added to that port): every
// path needs `ingest`, except /healthz and /readyz (probes, no data).
// Query listener: /metrics needs `admin` (its figures cover every tenant); every /api/... path
// (query APIs, MCP) and every non-GET request needs `query`; /healthz and
// /readyz are public, and so is the UI's static shell (GET/HEAD of any
// other path: HTML/JS that holds no data; the UI asks for a key and sends
// it with its /api calls).
//
// The query listener also checks Host and Origin against the names it may
// be reached by (DNS rebinding: a page on evil.example whose name
// re-resolves to 127.0.0.1 would otherwise read a loopback daemon).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/auth/authenticator.h"
#include "daemon/auth/trusted_proxies.h"
#include "daemon/receive/http_types.h"

namespace callpath::daemon::auth {

enum class ListenerKind { kIngest, kQuery };

// Scope bits of which the request needs one; 0 = public.
uint8_t RequiredScopes(ListenerKind listener, std::string_view method, std::string_view path);

// The names a listener may be reached by (Host / Origin).
struct HostPolicy {
  bool check = false;           // false: any Host (the ingest listener)
  bool loopback_listen = true;  // listening on 127.0.0.0/8, ::1 or localhost
  std::string listen_host;      // as configured
  std::vector<std::string> allowed_names;  // --allowed-hosts, lower case
};

// True when `host` (a Host header value or an Origin's host[:port]) names
// this listener under `policy`: a loopback name or address, the listen
// address, a configured name, or - on a non-loopback listener - any IP
// literal (a rebinding attack needs a DNS name).
bool HostAllowed(const HostPolicy& policy, std::string_view host);

// The host[:port] of an Origin value ("https://a.example:8443" ->
// "a.example:8443"); "" for "null" or a malformed value.
std::string_view OriginHost(std::string_view origin);

// Runs on every request head: Host/Origin check, then the key check, then
// the tenant (the key's, or X-Scope-OrgID from a trusted proxy).
// Returns true to go on (setting head->tenant), false with *deny filled.
class HttpGate {
 public:
  // `auth` and `proxies` must outlive the gate; `errors` formats refusals
  // in the listener's error format.
  HttpGate(Authenticator& auth, ListenerKind listener, HostPolicy hosts, ErrorResponder errors,
           const TrustedProxies& proxies)
      : auth_(auth), listener_(listener), hosts_(std::move(hosts)), errors_(std::move(errors)), proxies_(proxies) {}

  bool Admit(HttpRequest& head, HttpResponse* deny) const;

 private:
  Authenticator& auth_;
  ListenerKind listener_;
  HostPolicy hosts_;
  ErrorResponder errors_;
  const TrustedProxies& proxies_;
};

}  // namespace callpath::daemon::auth
