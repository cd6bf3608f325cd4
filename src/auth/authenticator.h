// Authenticator: decides, for one request, whether the `Authorization`
// value it carries names a key of the keys file with the scope the request
// needs. Transport-neutral: the HTTP server and the gRPC receiver translate
// the verdict into 401/403/429 or UNAUTHENTICATED/PERMISSION_DENIED/
// RESOURCE_EXHAUSTED.
//
// Failed attempts (no key, an unknown or malformed key; not a valid key
// lacking the scope) are counted per client address: more than
// kMaxFailuresPerWindow in one kFailureWindow and that address is refused
// (429 / RESOURCE_EXHAUSTED, no key checked) until the window ends, so a
// key cannot be guessed at network speed (it cannot be guessed at all, but
// the refusal also keeps the log and the CPU quiet).
//
// Threads: Check() may run on any number of threads at once; Reload()
// swaps the key set atomically (requests in flight finish with the old one).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "callpath/status.h"
#include "auth/api_key.h"

namespace callpath::auth {

struct AccessVerdict {
  enum class Code {
    kAllow,
    kUnauthenticated,  // no key, malformed key, unknown key -> 401 / UNAUTHENTICATED
    kForbidden,        // a valid key without the scope -> 403 / PERMISSION_DENIED
    kThrottled,        // too many failures from this address -> 429 / RESOURCE_EXHAUSTED
  };
  Code code = Code::kAllow;
  std::string tenant;   // the key's tenant when allowed ("" when auth is off)
  std::string message;  // why not, for the client
  int retry_after_seconds = 0;  // kThrottled only
};

struct AuthCounters {
  std::atomic<uint64_t> allowed{0};
  std::atomic<uint64_t> unauthenticated{0};
  std::atomic<uint64_t> forbidden{0};
  std::atomic<uint64_t> throttled{0};
  std::atomic<uint64_t> reloads{0};
  std::atomic<uint64_t> reload_failures{0};
};

class Authenticator {
 public:
  static constexpr int kMaxFailuresPerWindow = 20;
  static constexpr std::chrono::seconds kFailureWindow{60};

  // `keys_file` empty: authentication is off (every request is allowed with
  // tenant ""). Call Reload() once before use to read the file.
  explicit Authenticator(std::string keys_file);

  bool enabled() const { return !keys_file_.empty(); }
  const std::string& keys_file() const { return keys_file_; }

  // (Re)reads the keys file. On error the previous keys stay in force and
  // the error is returned (so a bad edit does not lock everyone out).
  Status Reload();

  // `authorization`: the header value ("Bearer cpk_..."), "" if absent.
  // `client`: the peer's address, the unit failures are counted by.
  // `any_of_scopes`: the request is allowed when the key holds one of them.
  AccessVerdict Check(std::string_view authorization, std::string_view client, uint8_t any_of_scopes);

  const AuthCounters& counters() const { return counters_; }
  size_t key_count() const;

 private:
  struct KeySet {
    std::vector<KeyEntry> entries;
  };
  struct Failures {
    std::chrono::steady_clock::time_point window_start;
    int count = 0;
  };

  AccessVerdict Refuse(AccessVerdict::Code code, std::string message, std::string_view client);
  int ThrottledFor(std::string_view client);

  const std::string keys_file_;
  std::shared_ptr<const KeySet> keys_;  // read and swapped with std::atomic_load/store
  AuthCounters counters_;
  std::mutex failures_mu_;
  // failures_.size(), readable without the lock: with no failure on record
  // (the normal case) a request takes no lock.
  std::atomic<size_t> tracked_{0};
  std::unordered_map<std::string, Failures> failures_;
};

// Appends the counters in Prometheus text format
// (callpathd_auth_requests_total{outcome=...}, reloads).
void RenderAuthMetrics(const AuthCounters& counters, std::string& out);

// The value of a `Bearer` Authorization header (scheme case-insensitive),
// "" when the header is absent or uses another scheme.
std::string_view BearerToken(std::string_view authorization);

}  // namespace callpath::auth
