// Feeds arbitrary bytes to the gateway's config parser. It must never crash
// or throw; a config it accepts must be internally consistent (every route
// names a defined upstream, every upstream has endpoints) and routable, and
// the small text parsers must agree with themselves.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/config.h"
#include "gateway/retry_policy.h"
#include "gateway/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callpath::gateway;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // The scalar parsers on the raw bytes.
  if (auto d = ParseDuration(text); d.ok() && (d->count() < 0 || d->count() > 86400000)) {
    std::abort();
  }
  if (auto hp = ParseHostPort(text); hp.ok()) {
    auto again = ParseHostPort(hp->ToString());
    if (!again.ok() || !(*again == *hp)) std::abort();  // ToString round-trips
  }
  (void)HostWithoutPort(text);
  (void)PortFromHost(text, 80);

  callpath::Result<Config> cfg = ParseConfig(text, "fuzz.yaml");
  if (!cfg.ok()) {
    if (cfg.status().message().rfind("fuzz.yaml", 0) != 0) std::abort();  // always says where
    return 0;
  }
  if (cfg->routes.empty()) std::abort();
  for (const Route& r : cfg->routes) {
    auto up = cfg->upstreams.find(r.upstream);
    if (up == cfg->upstreams.end() || up->second.endpoints.empty()) std::abort();
    if (r.path_prefix.empty() || r.path_prefix[0] != '/') std::abort();
    if (r.retries.attempts < 1) std::abort();
    for (int a = 1; a <= r.retries.attempts + 1; ++a) {
      (void)ShouldRetry(r.retries, "GET", {AttemptOutcome::kResponse, 503}, a);
      (void)BackoffBefore(r.retries, a);
    }
  }
  Router router(cfg->routes);
  // A route's own prefix, asked with its host, finds a route at least as specific.
  for (const Route& r : cfg->routes) {
    const Route* m = router.Match(r.host, r.path_prefix);
    if (m == nullptr || m->path_prefix.size() < r.path_prefix.size()) std::abort();
    (void)UpstreamTarget(r.path_prefix + "/x?y=1", r);
  }
  return 0;
}
