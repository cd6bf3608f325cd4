// Route selection: which configured route serves a request.
//
// A route matches when its host (if any) equals the request's Host without
// the port, ignoring case, and its path_prefix is a prefix of the path on a
// segment boundary ("/api/orders" matches "/api/orders" and
// "/api/orders/7", not "/api/ordersX"). Among matches the longest prefix
// wins, then a route with a host over one without, then config order.
//
// Threads: a Router is immutable after construction; share it freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/config.h"

namespace callpath::gateway {

class Router {
 public:
  // `routes` must outlive the router.
  explicit Router(const std::vector<Route>& routes) : routes_(&routes) {}

  // The route for a request, or nullptr. `host` is the Host header as
  // received ("shop.local:8080"); `path` is the path without the query.
  const Route* Match(std::string_view host, std::string_view path) const noexcept;

 private:
  const std::vector<Route>* routes_;
};

// True when `prefix` is a prefix of `path` ending at a segment boundary.
bool PathHasPrefix(std::string_view path, std::string_view prefix) noexcept;

// The request-target to send upstream: `target` (path and query) with the
// route's strip_prefix removed from the path; an emptied path becomes "/".
std::string UpstreamTarget(std::string_view target, const Route& route);

// The host part of a Host header value: "[::1]:80" -> "::1", "A.b:8" -> "a.b".
std::string HostWithoutPort(std::string_view host);

// The port of a Host header value, or `fallback` when it names none.
int PortFromHost(std::string_view host, int fallback);

}  // namespace callpath::gateway
