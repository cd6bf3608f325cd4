#include "auth/api_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "text/hex.h"

namespace callpath::auth {
namespace {

constexpr size_t kIdBytes = 8;
constexpr size_t kSecretBytes = 32;
constexpr size_t kSaltBytes = 16;
constexpr size_t kDigestBytes = 32;
constexpr std::string_view kKeyPrefix = "cpk_";
constexpr std::string_view kLineTag = "cpk1";

bool IsLowerHex(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string FromHex(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  text::HexDecode(hex, reinterpret_cast<uint8_t*>(out.data()), out.size(), text::HexCase::kAny);
  return out;
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Internal("the system's random generator failed");
  }
  return out;
}

// Splits a line on spaces and tabs.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

Result<uint8_t> ParseScopes(std::string_view text) {
  uint8_t bits = 0;
  if (text.empty()) return InvalidArgument("no scopes given (ingest, query, admin)");
  while (true) {
    size_t comma = text.find(',');
    std::string_view one = text.substr(0, comma);
    if (one == "ingest") bits |= kScopeIngest;
    else if (one == "query") bits |= kScopeQuery;
    else if (one == "admin") bits |= kScopeAdmin;
    else return InvalidArgument("unknown scope '" + std::string(one) + "' (scopes are ingest, query, admin)");
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return bits;
}

std::string ScopesText(uint8_t scopes) {
  std::string out;
  for (auto [bit, name] : {std::pair{kScopeIngest, "ingest"}, {kScopeQuery, "query"}, {kScopeAdmin, "admin"}}) {
    if (!(scopes & bit)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

bool ValidTenant(std::string_view tenant) {
  // A tenant names a directory of the store: "." and ".." would not.
  if (tenant.empty() || tenant.size() > 64 || tenant == "." || tenant == "..") return false;
  for (char c : tenant) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool SplitApiKey(std::string_view key, std::string* id, std::string* secret) {
  if (!key.starts_with(kKeyPrefix)) return false;
  key.remove_prefix(kKeyPrefix.size());
  if (key.size() != 2 * kIdBytes + 1 + 2 * kSecretBytes || key[2 * kIdBytes] != '_') return false;
  std::string_view id_hex = key.substr(0, 2 * kIdBytes);
  std::string_view secret_hex = key.substr(2 * kIdBytes + 1);
  if (!IsLowerHex(id_hex, 2 * kIdBytes) || !IsLowerHex(secret_hex, 2 * kSecretBytes)) return false;
  *id = std::string(id_hex);
  *secret = FromHex(secret_hex);
  return true;
}

std::string KeyDigest(std::string_view salt, std::string_view secret) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, salt.data(), salt.size());
  EVP_DigestUpdate(ctx, secret.data(), secret.size());
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<const char*>(md), len);
}

bool SecretMatches(const KeyEntry& entry, std::string_view secret) {
  std::string digest = KeyDigest(entry.salt, secret);
  return digest.size() == entry.digest.size() &&
         CRYPTO_memcmp(digest.data(), entry.digest.data(), digest.size()) == 0;
}

Result<std::vector<KeyEntry>> ParseKeysFile(std::string_view text) {
  std::vector<KeyEntry> out;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) continue;
    auto bad = [&](const std::string& why) {
      return InvalidArgument("keys file line " + std::to_string(line_no) + ": " + why);
    };
    if (f.size() != 6 || f[0] != kLineTag) {
      return bad("expected 'cpk1 <id> <tenant> <scopes> <salt> <sha256>' (a plain key never belongs here)");
    }
    KeyEntry e;
    if (!IsLowerHex(f[1], 2 * kIdBytes)) return bad("id must be 16 lower-case hex digits");
    e.id = std::string(f[1]);
    if (!ValidTenant(f[2])) return bad("tenant must be 1-64 of A-Z a-z 0-9 _ . -");
    e.tenant = std::string(f[2]);
    Result<uint8_t> scopes = ParseScopes(f[3]);
    if (!scopes.ok()) return bad(scopes.status().message());
    e.scopes = scopes.value();
    if (!IsLowerHex(f[4], 2 * kSaltBytes)) return bad("salt must be 32 lower-case hex digits");
    if (!IsLowerHex(f[5], 2 * kDigestBytes)) return bad("sha256 must be 64 lower-case hex digits");
    e.salt = FromHex(f[4]);
    e.digest = FromHex(f[5]);
    for (const KeyEntry& other : out)
      if (other.id == e.id) return bad("key id " + e.id + " appears twice");
    out.push_back(std::move(e));
  }
  return out;
}

std::string KeysFileLine(const KeyEntry& e) {
  return std::string(kLineTag) + " " + e.id + " " + e.tenant + " " + ScopesText(e.scopes) + " " +
         text::HexString(e.salt) + " " + text::HexString(e.digest) + "\n";
}

Result<NewKey> GenerateKey(std::string_view tenant, uint8_t scopes) {
  if (!ValidTenant(tenant)) return InvalidArgument("tenant must be 1-64 of A-Z a-z 0-9 _ . -");
  if (scopes == 0) return InvalidArgument("a key needs at least one scope");
  Result<std::string> id = RandomBytes(kIdBytes);
  Result<std::string> secret = RandomBytes(kSecretBytes);
  Result<std::string> salt = RandomBytes(kSaltBytes);
  if (!id.ok()) return id.status();
  if (!secret.ok()) return secret.status();
  if (!salt.ok()) return salt.status();
  NewKey k;
  k.entry.id = text::HexString(id.value());
  k.entry.tenant = std::string(tenant);
  k.entry.scopes = scopes;
  k.entry.salt = salt.value();
  k.entry.digest = KeyDigest(k.entry.salt, secret.value());
  k.key = std::string(kKeyPrefix) + k.entry.id + "_" + text::HexString(secret.value());
  return k;
}

}  // namespace callpath::auth
