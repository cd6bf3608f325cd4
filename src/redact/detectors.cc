#include "redact/detectors.h"

#include <arpa/inet.h>

#include <array>
#include <string>

namespace callpath::redact {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsBase64Url(char c) { return IsAlnum(c) || c == '-' || c == '_'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

// ---- email ----
bool IsLocalChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
bool IsDomainChar(char c) { return IsAlnum(c) || c == '-' || c == '.'; }

void Emails(std::string_view t, std::vector<Match>* out) {
  size_t from = 0;
  while (true) {
    size_t at = t.find('@', from);
    if (at == std::string_view::npos) return;
    from = at + 1;
    size_t b = at;
    while (b > 0 && IsLocalChar(t[b - 1])) --b;
    size_t e = at + 1;
    while (e < t.size() && IsDomainChar(t[e])) ++e;
    while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-')) --e;  // trailing punctuation
    if (b == at || e == at + 1) continue;
    std::string_view domain = t.substr(at + 1, e - at - 1);
    size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0) continue;
    std::string_view tld = domain.substr(dot + 1);
    bool letters = tld.size() >= 2;
    for (char c : tld) letters &= IsAlpha(c);
    if (!letters) continue;
    out->push_back({b, e, Kind::kEmail});
    from = e;
  }
}

// ---- digit groups: cards and phones ----
// From `i` (a digit or '+'/'('), the extent of digits joined by single
// separators from `seps`; counts digits and separators.
struct DigitRun {
  size_t end = 0;
  int digits = 0;
  int separators = 0;
};

DigitRun ScanDigits(std::string_view t, size_t i, std::string_view seps, int max_digits) {
  DigitRun r;
  size_t last_digit_end = i;
  while (i < t.size()) {
    if (IsDigit(t[i])) {
      if (++r.digits > max_digits) break;
      ++i;
      last_digit_end = i;
    } else if (seps.find(t[i]) != std::string_view::npos && i + 1 < t.size() &&
               (IsDigit(t[i + 1]) || (t[i] != '(' && t[i + 1] == '(') || (t[i] == ')' && t[i + 1] == ' '))) {
      ++r.separators;
      ++i;
    } else {
      break;
    }
  }
  r.end = last_digit_end;
  return r;
}

void Cards(std::string_view t, std::vector<Match>* out) {
  size_t i = 0;
  while (i < t.size()) {
    if (!IsDigit(t[i]) || (i > 0 && (IsDigit(t[i - 1]) || IsAlpha(t[i - 1])))) {
      ++i;
      continue;
    }
    DigitRun r = ScanDigits(t, i, " -", 19);
    bool bounded = r.end >= t.size() || (!IsDigit(t[r.end]) && !IsAlpha(t[r.end]));
    if (r.digits >= 13 && r.digits <= 19 && bounded && LuhnValid(t.substr(i, r.end - i))) {
      out->push_back({i, r.end, Kind::kCard});
    }
    i = std::max(r.end, i + 1);
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
}

void Phones(std::string_view t, std::vector<Match>* out) {
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    bool start = (c == '+' && i + 1 < t.size() && IsDigit(t[i + 1])) ||
                 (c == '(' && i + 1 < t.size() && IsDigit(t[i + 1])) || IsDigit(c);
    if (!start || (i > 0 && (IsAlnum(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == '-'))) {
      ++i;
      continue;
    }
    size_t j = (c == '+' || c == '(') ? i + 1 : i;
    DigitRun r = ScanDigits(t, j, " .-()", 15);
    bool bounded = r.end >= t.size() || (!IsAlnum(t[r.end]) && t[r.end] != '.' && t[r.end] != '-');
    if (bounded && r.digits >= 9 && r.digits <= 15 && (r.separators > 0 || c == '+')) {
      out->push_back({i, r.end, Kind::kPhone});
    }
    i = std::max(r.end, i + 1);
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
}

// ---- IBAN ----
void Ibans(std::string_view t, std::vector<Match>* out) {
  for (size_t i = 0; i + 15 <= t.size(); ++i) {
    if (!(t[i] >= 'A' && t[i] <= 'Z' && t[i + 1] >= 'A' && t[i + 1] <= 'Z' && IsDigit(t[i + 2]) && IsDigit(t[i + 3])))
      continue;
    if (i > 0 && IsAlnum(t[i - 1])) continue;
    std::string compact;
    size_t j = i, end = i;
    while (j < t.size() && compact.size() < 34) {
      if (IsDigit(t[j]) || (t[j] >= 'A' && t[j] <= 'Z')) {
        compact += t[j++];
        end = j;
      } else if (t[j] == ' ' && j + 1 < t.size() && IsAlnum(t[j + 1]) && compact.size() % 4 == 0) {
        ++j;
      } else {
        break;
      }
    }
    if (end < t.size() && IsAlnum(t[end])) continue;
    if (compact.size() >= 15 && IbanValid(compact)) {
      out->push_back({i, end, Kind::kIban});
      i = end;
    }
  }
}

// ---- IP addresses ----
void Ipv4s(std::string_view t, std::vector<Match>* out) {
  size_t i = 0;
  while (i < t.size()) {
    if (!IsDigit(t[i]) || (i > 0 && (IsAlnum(t[i - 1]) || t[i - 1] == '.'))) {
      ++i;
      continue;
    }
    size_t j = i;
    int parts = 0;
    bool ok = true;
    while (parts < 4) {
      size_t s = j;
      int v = 0;
      while (j < t.size() && IsDigit(t[j]) && j - s < 3) v = v * 10 + (t[j++] - '0');
      if (j == s || v > 255 || (j < t.size() && IsDigit(t[j]))) {
        ok = false;
        break;
      }
      ++parts;
      if (parts < 4) {
        if (j >= t.size() || t[j] != '.') {
          ok = false;
          break;
        }
        ++j;
      }
    }
    bool bounded = j >= t.size() || (!IsAlnum(t[j]) && !(t[j] == '.' && j + 1 < t.size() && IsDigit(t[j + 1])));
    if (ok && bounded) {
      out->push_back({i, j, Kind::kIpv4});
      i = j;
    } else {
      while (i < t.size() && (IsDigit(t[i]) || t[i] == '.')) ++i;
    }
  }
}

void Ipv6s(std::string_view t, std::vector<Match>* out) {
  size_t i = 0;
  while (i < t.size()) {
    if (!(IsHex(t[i]) || t[i] == ':') || (i > 0 && (IsAlnum(t[i - 1]) || t[i - 1] == ':'))) {
      ++i;
      continue;
    }
    size_t j = i;
    int colons = 0;
    while (j < t.size() && (IsHex(t[j]) || t[j] == ':' || t[j] == '.') && j - i < 45) colons += t[j++] == ':';
    while (j > i && (t[j - 1] == '.')) --j;
    if (colons >= 2 && j - i > 2 && (j >= t.size() || !IsAlnum(t[j]))) {
      std::string candidate(t.substr(i, j - i));
      in6_addr addr;
      if (inet_pton(AF_INET6, candidate.c_str(), &addr) == 1) {
        out->push_back({i, j, Kind::kIpv6});
        i = j;
        continue;
      }
    }
    i = j > i ? j : i + 1;
  }
}

// ---- tokens ----
void Jwts(std::string_view t, std::vector<Match>* out) {
  size_t from = 0;
  while (true) {
    size_t s = t.find("eyJ", from);
    if (s == std::string_view::npos) return;
    from = s + 3;
    if (s > 0 && IsBase64Url(t[s - 1])) continue;
    size_t j = s;
    std::array<size_t, 3> len{};
    int seg = 0;
    while (j < t.size()) {
      if (IsBase64Url(t[j])) {
        ++len[static_cast<size_t>(seg)];
        ++j;
      } else if (t[j] == '.' && seg < 2) {
        ++seg;
        ++j;
      } else {
        break;
      }
    }
    if (seg == 2 && len[0] >= 4 && len[1] >= 4) {
      out->push_back({s, j, Kind::kJwt});
      from = j;
    }
  }
}

bool IsTokenChar(char c) {
  return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

void Bearers(std::string_view t, std::vector<Match>* out) {
  for (std::string_view scheme : {std::string_view("bearer"), std::string_view("basic")}) {
    for (size_t i = 0; i + scheme.size() + 1 < t.size(); ++i) {
      if (Lower(t[i]) != scheme[0] || !IEquals(t.substr(i, scheme.size()), scheme)) continue;
      if (i > 0 && IsAlnum(t[i - 1])) continue;
      size_t j = i + scheme.size();
      if (t[j] != ' ' && t[j] != '=' && t[j] != ':') continue;
      while (j < t.size() && (t[j] == ' ' || t[j] == '=' || t[j] == ':')) ++j;
      size_t s = j;
      while (j < t.size() && IsTokenChar(t[j])) ++j;
      if (j - s >= 8) out->push_back({s, j, Kind::kBearer});
      i = j;
    }
  }
}

constexpr std::array<std::string_view, 21> kSensitiveParams = {
    "password", "passwd", "pwd", "token", "access_token", "refresh_token", "id_token",
    "api_key", "apikey", "secret", "client_secret", "sig", "signature", "x-amz-signature",
    "x-amz-credential", "x-amz-security-token", "auth", "key", "code", "session", "sessionid"};

void UrlCredentials(std::string_view t, std::vector<Match>* out) {
  // scheme://user:password@host
  size_t from = 0;
  while (true) {
    size_t s = t.find("://", from);
    if (s == std::string_view::npos) break;
    size_t b = s + 3;
    size_t j = b;
    while (j < t.size() && t[j] != '/' && t[j] != '@' && t[j] != ' ' && t[j] != '?' && t[j] != '#' && t[j] != '"') ++j;
    if (j < t.size() && t[j] == '@' && j > b) out->push_back({b, j, Kind::kUrlCredentials});
    from = b;
  }
  // ?name=value / &name=value
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '?' && t[i] != '&') continue;
    size_t n = i + 1;
    size_t eq = n;
    while (eq < t.size() && t[eq] != '=' && t[eq] != '&' && t[eq] != ' ' && eq - n <= 32) ++eq;
    if (eq >= t.size() || t[eq] != '=') continue;
    std::string_view name = t.substr(n, eq - n);
    bool sensitive = false;
    for (std::string_view p : kSensitiveParams) sensitive |= IEquals(name, p);
    if (!sensitive) continue;
    size_t v = eq + 1, e = v;
    while (e < t.size() && t[e] != '&' && t[e] != ' ' && t[e] != '#' && t[e] != '"' && t[e] != '\'') ++e;
    if (e > v) out->push_back({v, e, Kind::kUrlCredentials});
  }
}

}  // namespace

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kEmail: return "email";
    case Kind::kPhone: return "phone";
    case Kind::kCard: return "card";
    case Kind::kIban: return "iban";
    case Kind::kIpv4: return "ipv4";
    case Kind::kIpv6: return "ipv6";
    case Kind::kJwt: return "jwt";
    case Kind::kBearer: return "bearer";
    case Kind::kUrlCredentials: return "url_credentials";
    case Kind::kCustom: return "custom";
  }
  return "custom";
}

bool ParseKind(std::string_view name, Kind* out) {
  for (int k = 0; k < kKindCount; ++k) {
    if (KindName(static_cast<Kind>(k)) == name) {
      *out = static_cast<Kind>(k);
      return true;
    }
  }
  return false;
}

void Detect(Kind kind, std::string_view text, std::vector<Match>* out) {
  switch (kind) {
    case Kind::kEmail: return Emails(text, out);
    case Kind::kPhone: return Phones(text, out);
    case Kind::kCard: return Cards(text, out);
    case Kind::kIban: return Ibans(text, out);
    case Kind::kIpv4: return Ipv4s(text, out);
    case Kind::kIpv6: return Ipv6s(text, out);
    case Kind::kJwt: return Jwts(text, out);
    case Kind::kBearer: return Bearers(text, out);
    case Kind::kUrlCredentials: return UrlCredentials(text, out);
    case Kind::kCustom: return;
  }
}

namespace {

// Character classes PossibleKinds reads.
enum : uint16_t {
  kClassDigit = 1,
  kClassUpper = 2,
  kClassAt = 4,
  kClassDot = 8,
  kClassColon = 16,
  kClassJ = 32,         // the 'J' of a JWT's "eyJ"
  kClassB = 64,         // the first letter of "bearer" and "basic", either case
  kClassEquals = 128,
  kClassQueryStart = 256,  // '?' or '&'
};

constexpr std::array<uint16_t, 256> MakeClasses() {
  std::array<uint16_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = kClassDigit;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = kClassUpper;
  t['J'] |= kClassJ;
  t['B'] |= kClassB;
  t['b'] = kClassB;
  t['@'] = kClassAt;
  t['.'] = kClassDot;
  t[':'] = kClassColon;
  t['='] = kClassEquals;
  t['?'] = kClassQueryStart;
  t['&'] = kClassQueryStart;
  return t;
}
constexpr std::array<uint16_t, 256> kClasses = MakeClasses();

constexpr uint32_t Bit(Kind k) { return 1u << static_cast<unsigned>(k); }

}  // namespace

uint32_t PossibleKinds(std::string_view text) {
  uint32_t seen = 0;
  size_t digits = 0;
  for (char c : text) {
    uint16_t cls = kClasses[static_cast<unsigned char>(c)];
    seen |= cls;
    digits += cls & kClassDigit;
  }
  uint32_t kinds = 0;
  if (seen & kClassAt) kinds |= Bit(Kind::kEmail);
  if (digits >= 9) kinds |= Bit(Kind::kPhone);
  if (digits >= 13) kinds |= Bit(Kind::kCard);
  if (digits >= 2 && (seen & kClassUpper) && text.size() >= 15) kinds |= Bit(Kind::kIban);
  if (digits >= 4 && (seen & kClassDot)) kinds |= Bit(Kind::kIpv4);
  if (seen & kClassColon) kinds |= Bit(Kind::kIpv6);
  if (seen & kClassJ) kinds |= Bit(Kind::kJwt);
  if (seen & kClassB) kinds |= Bit(Kind::kBearer);
  if ((seen & kClassColon) || ((seen & kClassEquals) && (seen & kClassQueryStart))) kinds |= Bit(Kind::kUrlCredentials);
  return kinds;
}

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  int n = 0;
  for (size_t i = digits.size(); i-- > 0;) {
    if (!IsDigit(digits[i])) continue;
    int d = digits[i] - '0';
    if (n++ % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return n > 0 && sum % 10 == 0;
}

bool IbanValid(std::string_view iban) {
  if (iban.size() < 15 || iban.size() > 34) return false;
  // Move the first four characters to the end; letters count as 10..35.
  int rem = 0;
  for (size_t k = 0; k < iban.size(); ++k) {
    char c = iban[(k + 4) % iban.size()];
    if (IsDigit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

}  // namespace callpath::redact
