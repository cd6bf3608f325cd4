// What the query API needs to know of tenants: whether a tenant may start
// one more query now (its concurrency limit), how long a query may take,
// and the tenant's store. The daemon's tenant registry provides it; the
// API never reads a store other than the one named by the request's
// tenant (HttpRequest::tenant, set by the gate).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "callpath/status.h"
#include "store/store.h"

namespace callpath::daemon {

// A query let in: holds one of its tenant's query slots until destroyed.
struct QueryAdmission {
  std::shared_ptr<void> slot;
  // Abandon the query with 504 after this (0 = no limit).
  std::chrono::milliseconds time_limit{0};
  // Counted when the query is abandoned (may be null).
  std::atomic<uint64_t>* timed_out = nullptr;
};

class QueryTenants {
 public:
  virtual ~QueryTenants() = default;
  // Runs on a server thread before the request is queued, so it must be
  // cheap. kResourceExhausted when the tenant's concurrent queries are at
  // its limit (-> 429 + Retry-After).
  virtual Result<QueryAdmission> Admit(std::string_view tenant) = 0;
  // Runs on a query worker: the tenant's store (opened if it was not),
  // once every write acknowledged to that tenant before the call is
  // visible. An error -> 503.
  virtual Result<store::Store*> StoreFor(std::string_view tenant) = 0;
};

}  // namespace callpath::daemon
