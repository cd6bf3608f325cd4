#include "auth/authenticator.h"

#include <fstream>
#include <sstream>

namespace callpath::auth {
namespace {

// Addresses remembered at most; beyond it, entries whose window is over
// are dropped (and if none is, the table starts afresh: an attacker with
// that many addresses gains little from the reset).
constexpr size_t kMaxTrackedClients = 65536;

}  // namespace

void RenderAuthMetrics(const AuthCounters& c, std::string& out) {
  out += "# HELP callpathd_auth_requests_total Requests checked for an API key, by outcome.\n"
         "# TYPE callpathd_auth_requests_total counter\n";
  for (auto [name, value] : {std::pair{"allowed", &c.allowed}, {"unauthenticated", &c.unauthenticated},
                             {"forbidden", &c.forbidden}, {"throttled", &c.throttled}}) {
    out += std::string("callpathd_auth_requests_total{outcome=\"") + name + "\"} " +
           std::to_string(value->load(std::memory_order_relaxed)) + "\n";
  }
  out += "# HELP callpathd_auth_reload_failures_total Keys file reloads that failed (old keys kept).\n"
         "# TYPE callpathd_auth_reload_failures_total counter\n"
         "callpathd_auth_reload_failures_total " +
         std::to_string(c.reload_failures.load(std::memory_order_relaxed)) + "\n";
}

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i)
    if ((authorization[i] | 0x20) != kScheme[i]) return {};
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return token;
}

Authenticator::Authenticator(std::string keys_file)
    : keys_file_(std::move(keys_file)), keys_(std::make_shared<const KeySet>()) {}

Status Authenticator::Reload() {
  if (!enabled()) return Status::Ok();
  std::ifstream in(keys_file_);
  if (!in) {
    counters_.reload_failures.fetch_add(1, std::memory_order_relaxed);
    return InvalidArgument("cannot read keys file " + keys_file_);
  }
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<KeyEntry>> parsed = ParseKeysFile(text.str());
  if (!parsed.ok()) {
    counters_.reload_failures.fetch_add(1, std::memory_order_relaxed);
    return InvalidArgument(keys_file_ + ": " + parsed.status().message());
  }
  auto set = std::make_shared<KeySet>();
  set->entries = std::move(parsed).value();
  std::atomic_store(&keys_, std::shared_ptr<const KeySet>(std::move(set)));
  counters_.reloads.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

size_t Authenticator::key_count() const { return std::atomic_load(&keys_)->entries.size(); }

AccessVerdict Authenticator::Check(std::string_view authorization, std::string_view client,
                                   uint8_t any_of_scopes) {
  if (!enabled()) return AccessVerdict{};
  if (int wait = ThrottledFor(client); wait > 0) {
    counters_.throttled.fetch_add(1, std::memory_order_relaxed);
    AccessVerdict v;
    v.code = AccessVerdict::Code::kThrottled;
    v.message = "too many failed authentication attempts from this address; retry later";
    v.retry_after_seconds = wait;
    return v;
  }
  std::string_view token = BearerToken(authorization);
  if (token.empty()) {
    return Refuse(AccessVerdict::Code::kUnauthenticated,
                  "an API key is required: send 'Authorization: Bearer <key>'", client);
  }
  std::string id, secret;
  if (!SplitApiKey(token, &id, &secret)) {
    return Refuse(AccessVerdict::Code::kUnauthenticated, "invalid API key", client);
  }
  std::shared_ptr<const KeySet> keys = std::atomic_load(&keys_);
  const KeyEntry* match = nullptr;
  for (const KeyEntry& e : keys->entries) {
    if (e.id == id) {
      match = &e;
      break;
    }
  }
  // An unknown id and a wrong secret get the same answer.
  if (match == nullptr || !SecretMatches(*match, secret)) {
    return Refuse(AccessVerdict::Code::kUnauthenticated, "invalid API key", client);
  }
  if ((match->scopes & any_of_scopes) == 0) {
    return Refuse(AccessVerdict::Code::kForbidden,
                  "this API key lacks the scope for this endpoint (needs " + ScopesText(any_of_scopes) +
                      ", has " + ScopesText(match->scopes) + ")",
                  client);
  }
  counters_.allowed.fetch_add(1, std::memory_order_relaxed);
  AccessVerdict v;
  v.tenant = match->tenant;
  return v;
}

AccessVerdict Authenticator::Refuse(AccessVerdict::Code code, std::string message, std::string_view client) {
  AccessVerdict v;
  v.code = code;
  v.message = std::move(message);
  // A valid key used on the wrong endpoint guesses nothing: counted, not
  // held against the address.
  if (code == AccessVerdict::Code::kForbidden) {
    counters_.forbidden.fetch_add(1, std::memory_order_relaxed);
    return v;
  }
  counters_.unauthenticated.fetch_add(1, std::memory_order_relaxed);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(failures_mu_);
    if (failures_.size() >= kMaxTrackedClients) {
      std::erase_if(failures_, [&](const auto& kv) { return now - kv.second.window_start >= kFailureWindow; });
      if (failures_.size() >= kMaxTrackedClients) failures_.clear();
    }
    Failures& f = failures_[std::string(client)];
    if (f.count == 0 || now - f.window_start >= kFailureWindow) {
      f.window_start = now;
      f.count = 0;
    }
    ++f.count;
    tracked_.store(failures_.size(), std::memory_order_relaxed);
  }
  return v;
}

int Authenticator::ThrottledFor(std::string_view client) {
  if (tracked_.load(std::memory_order_relaxed) == 0) return 0;
  std::lock_guard<std::mutex> lock(failures_mu_);
  auto it = failures_.find(std::string(client));
  if (it == failures_.end()) return 0;
  const auto elapsed = std::chrono::steady_clock::now() - it->second.window_start;
  if (elapsed >= kFailureWindow) {
    failures_.erase(it);
    tracked_.store(failures_.size(), std::memory_order_relaxed);
    return 0;
  }
  if (it->second.count < kMaxFailuresPerWindow) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(kFailureWindow - elapsed).count();
  return static_cast<int>(left) + 1;
}

}  // namespace callpath::auth
