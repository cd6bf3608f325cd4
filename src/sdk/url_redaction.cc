#include "sdk/url_redaction.h"

#include <array>

namespace callpath::internal {
namespace {

constexpr std::array<std::string_view, 17> kSensitive = {
    "awsaccesskeyid", "signature", "sig", "x-goog-signature", "x-amz-signature", "x-amz-credential",
    "x-amz-security-token", "token", "access_token", "refresh_token", "id_token", "password", "passwd",
    "api_key", "apikey", "client_secret", "secret"};

bool IEquals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool IsSensitiveQueryParameter(std::string_view name) {
  for (std::string_view s : kSensitive)
    if (IEquals(name, s)) return true;
  return false;
}

std::string RedactQuery(std::string_view query) {
  std::string out;
  out.reserve(query.size());
  while (true) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && eq + 1 < pair.size() && IsSensitiveQueryParameter(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1)).append("REDACTED");
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    out += '&';
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::string RedactTarget(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  size_t hash = target.find('#', q);
  std::string out(target.substr(0, q + 1));
  out += RedactQuery(target.substr(q + 1, hash == std::string_view::npos ? std::string_view::npos : hash - q - 1));
  if (hash != std::string_view::npos) out.append(target.substr(hash));
  return out;
}

}  // namespace callpath::internal
