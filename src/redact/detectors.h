// Built-in detectors of personal data and secrets in free text: each finds
// the byte ranges of one kind of value in a string. Pure functions, no
// allocation beyond the output vector, safe on any bytes (not only UTF-8).
//
// What each one matches (and deliberately does not):
//  - kEmail: local@domain.tld, the local part of [A-Za-z0-9._%+-], a
//    dotted domain whose last label has 2+ letters. Not "a@b" or "@host".
//  - kPhone: "+" or "(" or a digit, then 9-15 digits in all separated by
//    single spaces, dots, dashes or parentheses, with at least one
//    separator or a leading "+" (a bare run of digits is an id, not a
//    phone number). Opt-in: it also catches some dates and versions.
//  - kCard: 13-19 digits, optionally in groups split by single spaces or
//    dashes, passing the Luhn check, not inside a longer digit run.
//  - kIban: two letters, two check digits, 11-30 letters/digits (groups of
//    four split by single spaces allowed), passing ISO 13616 mod-97.
//  - kIpv4: dotted quads of 0-255 not inside a longer dotted number.
//  - kIpv6: runs of hex digits and colons (two or more colons) that
//    inet_pton accepts; "::" alone is not matched.
//  - kJwt: three base64url segments joined by dots, the first starting
//    "eyJ" (a JSON header), the first two at least 4 characters.
//  - kBearer: the credential after "Bearer " or "Basic " (case-
//    insensitive), 8+ token characters.
//  - kUrlCredentials: "user:password" in scheme://user:password@host, and
//    the values of sensitive query parameters (password, passwd, pwd,
//    token, access_token, refresh_token, id_token, api_key, apikey,
//    secret, client_secret, sig, signature, x-amz-signature,
//    x-amz-credential, x-amz-security-token, auth, key, code, session,
//    sessionid) after "?" or "&".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace callpath::redact {

enum class Kind : uint8_t {
  kEmail,
  kPhone,
  kCard,
  kIban,
  kIpv4,
  kIpv6,
  kJwt,
  kBearer,
  kUrlCredentials,
  kCustom,  // a configured regular expression
};
inline constexpr int kKindCount = 10;

// "email", "phone", "card", "iban", "ipv4", "ipv6", "jwt", "bearer",
// "url_credentials", "custom".
std::string_view KindName(Kind kind);
// Inverse of KindName; false for an unknown name.
bool ParseKind(std::string_view name, Kind* out);

struct Match {
  size_t begin = 0;
  size_t end = 0;  // exclusive
  Kind kind = Kind::kCustom;
};

// Appends the matches of `kind` (not kCustom) in `text` to `out`, in order.
void Detect(Kind kind, std::string_view text, std::vector<Match>* out);

// The kinds (bit 1 << kind) whose detector may find something in `text`:
// a necessary condition of each (a card needs 13 digits, a JWT "eyJ", an
// e-mail '@', ...) read in one pass over the text. Detect finds nothing
// for a kind outside the mask, so a caller runs only the detectors in it:
// most attribute values need none, and each detector is a pass of its own.
uint32_t PossibleKinds(std::string_view text);

// The Luhn checksum of a string of ASCII digits (other characters skipped).
bool LuhnValid(std::string_view digits);
// ISO 13616 check of an IBAN without spaces.
bool IbanValid(std::string_view iban);

}  // namespace callpath::redact
