// API keys and the keys file.
//
// A key is "cpk_<id>_<secret>": 8 random bytes of id and 32 of secret, both
// in lower-case hex. The id only finds the entry; the secret is what is
// checked. The keys file never holds a secret, only a salted SHA-256 of it,
// so a leaked file gives no key (the secret has 256 random bits: no
// dictionary to try, which is why a fast hash is enough).
//
// Keys file: one key per line, '#' starts a comment, blank lines ignored:
//   cpk1 <id> <tenant> <scopes> <salt hex> <sha256 hex>
// e.g.
//   cpk1 3f9a0c1e22b47d10 shop ingest,query 8c0e...(32 hex) 5b1f...(64 hex)
// Scopes: a comma-separated subset of ingest, query, admin.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"

namespace callpath::auth {

// Scope bits; a key holds any combination.
enum Scope : uint8_t { kScopeIngest = 1, kScopeQuery = 2, kScopeAdmin = 4 };

// "ingest,query" -> bits; error on an unknown or empty list.
Result<uint8_t> ParseScopes(std::string_view text);
// bits -> "ingest,query".
std::string ScopesText(uint8_t scopes);

// A tenant name: 1..64 of [A-Za-z0-9_.-], not "." or ".." (it names a
// directory of the store).
bool ValidTenant(std::string_view tenant);

// One line of the keys file.
struct KeyEntry {
  std::string id;      // 16 hex
  std::string tenant;
  uint8_t scopes = 0;
  std::string salt;    // 16 raw bytes
  std::string digest;  // 32 raw bytes: SHA-256(salt || secret)
};

// A key presented by a client, split into its parts. False when `key` does
// not have the form above.
bool SplitApiKey(std::string_view key, std::string* id, std::string* secret);

// SHA-256(salt || secret), raw bytes.
std::string KeyDigest(std::string_view salt, std::string_view secret);

// True when `secret` hashes to entry.digest; the comparison takes the same
// time wherever the digests differ (CRYPTO_memcmp).
bool SecretMatches(const KeyEntry& entry, std::string_view secret);

// Parses a keys file's text. Errors name the line.
Result<std::vector<KeyEntry>> ParseKeysFile(std::string_view text);
// The line ParseKeysFile reads back as `entry` (with '\n').
std::string KeysFileLine(const KeyEntry& entry);

// A new key for tenant/scopes from the system's CSPRNG: `key` is what the
// client sends (shown once), `entry` what the keys file keeps.
struct NewKey {
  std::string key;
  KeyEntry entry;
};
Result<NewKey> GenerateKey(std::string_view tenant, uint8_t scopes);

}  // namespace callpath::auth
