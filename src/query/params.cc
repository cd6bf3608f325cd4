// Query-string parsing for the HTTP API (Jaeger's and callpath's own).
#include "query/params.h"

#include <charconv>
#include <cctype>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "text/hex.h"
#include "text/utf8.h"

namespace callpath::query {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr uint64_t kMaxLimit = 10000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Result<uint64_t> ParseUint(std::string_view name, std::string_view v) {
  v = Trim(v);
  uint64_t x = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size()) {
    return InvalidArgument("parameter " + std::string(name) + ": not a non-negative integer");
  }
  return x;
}

Result<size_t> ParseLimit(std::string_view v, size_t def) {
  if (Trim(v).empty()) return def;
  auto n = ParseUint("limit", v);
  if (!n.ok()) return n.status();
  if (*n == 0 || *n > kMaxLimit) return InvalidArgument("parameter limit: must be 1..10000");
  return static_cast<size_t>(*n);
}


// A JSON string token starting at s[*i] == '"'; handles the escapes a tag
// value can carry (\uXXXX to UTF-8, surrogate pairs included).
bool JsonString(std::string_view s, size_t* i, std::string* out) {
  if (*i >= s.size() || s[*i] != '"') return false;
  ++*i;
  out->clear();
  auto hex4 = [&](size_t at, uint32_t* cp) {
    if (at + 4 > s.size()) return false;
    *cp = 0;
    for (size_t k = 0; k < 4; ++k) {
      int d = text::HexDigitValue(s[at + k]);
      if (d < 0) return false;
      *cp = (*cp << 4) | static_cast<uint32_t>(d);
    }
    return true;
  };
  while (*i < s.size()) {
    char c = s[(*i)++];
    if (c == '"') return true;
    if (static_cast<unsigned char>(c) < 0x20) return false;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (*i >= s.size()) return false;
    char e = s[(*i)++];
    switch (e) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        uint32_t cp;
        if (!hex4(*i, &cp)) return false;
        *i += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          uint32_t lo;
          if (*i + 1 < s.size() && s[*i] == '\\' && s[*i + 1] == 'u' && hex4(*i + 2, &lo) &&
              lo >= 0xdc00 && lo <= 0xdfff) {
            *i += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          } else {
            cp = 0xfffd;
          }
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          cp = 0xfffd;
        }
        text::AppendUtf8(cp, out);
        break;
      }
      default: return false;
    }
  }
  return false;
}

void SkipWs(std::string_view s, size_t* i) {
  while (*i < s.size() && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r')) ++*i;
}

// {"k":"v","n":500,"b":true}: a flat object; non-string scalars are taken
// by their text, as Jaeger does.
Status ParseTagsJson(std::string_view s, std::vector<std::pair<std::string, std::string>>* tags) {
  size_t i = 0;
  SkipWs(s, &i);
  if (i >= s.size() || s[i] != '{') return InvalidArgument("parameter tags: expected a JSON object");
  ++i;
  SkipWs(s, &i);
  if (i < s.size() && s[i] == '}') {
    ++i;
  } else {
    while (true) {
      std::string k, v;
      SkipWs(s, &i);
      if (!JsonString(s, &i, &k)) return InvalidArgument("parameter tags: bad key");
      SkipWs(s, &i);
      if (i >= s.size() || s[i] != ':') return InvalidArgument("parameter tags: expected ':'");
      ++i;
      SkipWs(s, &i);
      if (i < s.size() && s[i] == '"') {
        if (!JsonString(s, &i, &v)) return InvalidArgument("parameter tags: bad value");
      } else {
        size_t start = i;
        while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ' ') ++i;
        v = std::string(s.substr(start, i - start));
        if (v.empty() || v.front() == '{' || v.front() == '[') {
          return InvalidArgument("parameter tags: values must be strings, numbers or booleans");
        }
      }
      tags->emplace_back(std::move(k), std::move(v));
      SkipWs(s, &i);
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == '}') {
        ++i;
        break;
      }
      return InvalidArgument("parameter tags: expected ',' or '}'");
    }
  }
  SkipWs(s, &i);
  if (i != s.size()) return InvalidArgument("parameter tags: trailing characters");
  return Status::Ok();
}

// k1=v1 k2="v 2"  (logfmt)
Status ParseTagsLogfmt(std::string_view s, std::vector<std::pair<std::string, std::string>>* tags) {
  size_t i = 0;
  while (true) {
    SkipWs(s, &i);
    if (i >= s.size()) return Status::Ok();
    size_t ks = i;
    while (i < s.size() && s[i] != '=' && s[i] != ' ') ++i;
    if (i >= s.size() || s[i] != '=' || i == ks) return InvalidArgument("parameter tags: expected key=value");
    std::string k(s.substr(ks, i - ks));
    ++i;
    std::string v;
    if (i < s.size() && s[i] == '"') {
      if (!JsonString(s, &i, &v)) return InvalidArgument("parameter tags: bad quoted value");
    } else {
      size_t vs = i;
      while (i < s.size() && s[i] != ' ') ++i;
      v = std::string(s.substr(vs, i - vs));
    }
    tags->emplace_back(std::move(k), std::move(v));
  }
}

// tag=k:v (Jaeger's repeated form); the first ':' splits.
Status ParseTagPair(std::string_view s, std::vector<std::pair<std::string, std::string>>* tags) {
  size_t c = s.find(':');
  if (c == std::string_view::npos || c == 0) return InvalidArgument("parameter tag: expected key:value");
  tags->emplace_back(std::string(s.substr(0, c)), std::string(s.substr(c + 1)));
  return Status::Ok();
}

// Nanoseconds from a "start"/"end" value: Unix time in `unit_ns` units, or
// (native API only) a duration meaning "that long before now".
Result<uint64_t> ParseTime(std::string_view name, std::string_view v, uint64_t unit_ns,
                           bool allow_ago, uint64_t now_ns) {
  v = Trim(v);
  bool digits = !v.empty();
  for (char c : v) digits &= (c >= '0' && c <= '9');
  if (digits) {
    auto n = ParseUint(name, v);
    if (!n.ok()) return n.status();
    if (*n > UINT64_MAX / unit_ns) return InvalidArgument("parameter " + std::string(name) + ": out of range");
    return *n * unit_ns;
  }
  if (allow_ago) {
    auto d = ParseDuration(v);
    if (d.ok()) return *d > now_ns ? 0 : now_ns - *d;
  }
  if (auto t = ParseRfc3339(v); t.ok()) return *t;
  return InvalidArgument("parameter " + std::string(name) + ": expected a Unix time, an RFC 3339 time" +
                         (allow_ago ? " or a duration ago" : ""));
}

Result<uint64_t> Dur(std::string_view name, std::string_view v) {
  auto d = ParseDuration(v);
  if (!d.ok()) return InvalidArgument("parameter " + std::string(name) + ": " + d.status().message());
  return d;
}

}  // namespace

Result<uint64_t> ParseNativeTime(std::string_view name, std::string_view value, uint64_t now_ns) {
  const std::string_view v = Trim(value);
  // RFC 3339 always has a '-' after its year; numbers and durations never do.
  if (v.find('-') != std::string_view::npos) {
    auto t = ParseRfc3339(v);
    if (!t.ok()) return InvalidArgument("parameter " + std::string(name) + ": " + t.status().message());
    return t;
  }
  return ParseTime(name, v, 1, true, now_ns);
}

Result<bool> ParseBoolParam(std::string_view name, std::string_view value) {
  const std::string_view v = Trim(value);
  auto is = [v](std::string_view word) {
    if (v.size() != word.size()) return false;
    for (size_t i = 0; i < v.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(v[i])) != word[i]) return false;
    }
    return true;
  };
  if (v.empty() || v == "1" || is("true")) return true;
  if (v == "0" || is("false")) return false;
  return InvalidArgument("parameter '" + std::string(name) + "': want true or false, not '" + std::string(value) + "'");
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && text::HexDigitValue(s[i + 1]) >= 0 &&
               text::HexDigitValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(text::HexDigitValue(s[i + 1]) * 16 +
                                      text::HexDigitValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SplitQueryString(std::string_view qs) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!qs.empty() && qs.front() == '?') qs.remove_prefix(1);
  while (!qs.empty()) {
    size_t amp = qs.find('&');
    std::string_view part = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    out.emplace_back(UrlDecode(k), UrlDecode(v));
  }
  return out;
}

Status ParseJaegerTags(std::string_view text, std::vector<std::pair<std::string, std::string>>* tags) {
  std::string_view t = Trim(text);
  if (t.empty()) return Status::Ok();
  return t.front() == '{' ? ParseTagsJson(t, tags) : ParseTagsLogfmt(t, tags);
}

Result<uint64_t> ParseDuration(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.empty()) return InvalidArgument("empty duration");
  if (s.front() == '-') return InvalidArgument("negative duration");
  bool digits_only = true;
  for (char c : s) digits_only &= (c >= '0' && c <= '9') || c == '.';
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t ns = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == ns) return InvalidArgument("bad duration '" + std::string(s) + "'");
    double num = 0;
    auto r = std::from_chars(s.data() + ns, s.data() + i, num);
    if (r.ec != std::errc() || r.ptr != s.data() + i) return InvalidArgument("bad number in duration");
    size_t us = i;
    while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    std::string_view unit = s.substr(us, i - us);
    double mult;
    if (unit.empty() && digits_only) mult = 1e3;  // bare number: microseconds
    else if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s") mult = 1e9;
    else if (unit == "m") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else if (unit == "d") mult = 86400e9;
    else return InvalidArgument("unknown duration unit '" + std::string(unit) + "'");
    total += num * mult;
  }
  if (!std::isfinite(total) || total >= 1.8e19) return InvalidArgument("duration out of range");
  return static_cast<uint64_t>(std::llround(total));
}

Result<store::TraceQuery> ParseJaegerSearchParams(std::string_view qs, uint64_t now_ns) {
  store::TraceQuery q;
  std::string start, end, lookback;
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "service") {
      q.service = v;
    } else if (k == "operation") {
      q.operation = v;
    } else if (k == "tags") {
      CALLPATH_RETURN_IF_ERROR(ParseJaegerTags(v, &q.tags));
    } else if (k == "tag") {
      CALLPATH_RETURN_IF_ERROR(ParseTagPair(v, &q.tags));
    } else if (k == "start") {
      start = v;
    } else if (k == "end") {
      end = v;
    } else if (k == "lookback") {
      lookback = v;
    } else if (k == "minDuration") {
      if (Trim(v).empty()) continue;
      auto d = Dur(k, v);
      if (!d.ok()) return d.status();
      q.min_span_duration_ns = *d;
    } else if (k == "maxDuration") {
      if (Trim(v).empty()) continue;
      auto d = Dur(k, v);
      if (!d.ok()) return d.status();
      q.max_span_duration_ns = *d;
    } else if (k == "limit") {
      auto l = ParseLimit(v, 20);
      if (!l.ok()) return l.status();
      q.limit = *l;
    }
    // Unknown parameters (e.g. the UI's "spanKind") are ignored, as Jaeger does.
  }
  if (!q.operation.empty() && q.service.empty()) return InvalidArgument("parameter operation needs service");
  q.start_time_max_ns = now_ns;
  if (!end.empty()) {
    auto e = ParseTime("end", end, 1000, false, now_ns);
    if (!e.ok()) return e.status();
    q.start_time_max_ns = *e;
  }
  if (!start.empty()) {
    auto s = ParseTime("start", start, 1000, false, now_ns);
    if (!s.ok()) return s.status();
    q.start_time_min_ns = *s;
  } else {
    uint64_t back = 3600ull * 1'000'000'000;
    if (!lookback.empty() && lookback != "custom") {
      auto d = Dur("lookback", lookback);
      if (!d.ok()) return d.status();
      back = *d;
    }
    q.start_time_min_ns = back > q.start_time_max_ns ? 0 : q.start_time_max_ns - back;
  }
  if (q.start_time_min_ns > q.start_time_max_ns) return InvalidArgument("parameter start is after end");
  if (q.max_span_duration_ns && q.min_span_duration_ns > q.max_span_duration_ns) {
    return InvalidArgument("minDuration is greater than maxDuration");
  }
  return q;
}

Result<store::TraceQuery> ParseNativeSearchParams(std::string_view qs, uint64_t now_ns, LogCondition* log) {
  store::TraceQuery q;
  std::string start, end, lookback;
  auto set_dur = [](std::string_view name, std::string_view v, uint64_t* out) -> Status {
    if (Trim(v).empty()) return Status::Ok();
    auto d = Dur(name, v);
    if (!d.ok()) return d.status();
    *out = *d;
    return Status::Ok();
  };
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "service") q.service = v;
    else if (k == "operation") q.operation = v;
    else if (k == "tag") CALLPATH_RETURN_IF_ERROR(ParseTagPair(v, &q.tags));
    else if (k == "min_duration") CALLPATH_RETURN_IF_ERROR(set_dur(k, v, &q.min_span_duration_ns));
    else if (k == "max_duration") CALLPATH_RETURN_IF_ERROR(set_dur(k, v, &q.max_span_duration_ns));
    else if (k == "min_trace_duration") CALLPATH_RETURN_IF_ERROR(set_dur(k, v, &q.min_trace_duration_ns));
    else if (k == "max_trace_duration") CALLPATH_RETURN_IF_ERROR(set_dur(k, v, &q.max_trace_duration_ns));
    else if (k == "services_all") {
      std::string_view rest = v;
      while (!rest.empty()) {
        size_t c = rest.find(',');
        std::string_view one = Trim(rest.substr(0, c));
        if (!one.empty()) q.services_all.emplace_back(one);
        rest = c == std::string_view::npos ? std::string_view() : rest.substr(c + 1);
      }
    } else if (k == "errors") {
      auto b = ParseBoolParam(k, v);
      if (!b.ok()) return b.status();
      q.errors_only = *b;
    } else if (log && k == "log_text") {
      log->text = v;
    } else if (log && k == "log_level") {
      auto sev = ParseSeverityLevel(k, v);
      if (!sev.ok()) return sev.status();
      log->min_severity = *sev;
    } else if (k == "start") start = v;
    else if (k == "end") end = v;
    else if (k == "lookback") lookback = v;
    else if (k == "limit") {
      auto l = ParseLimit(v, 20);
      if (!l.ok()) return l.status();
      q.limit = *l;
    } else {
      return InvalidArgument("unknown parameter '" + k + "'");
    }
  }
  if (!q.operation.empty() && q.service.empty()) return InvalidArgument("parameter operation needs service");
  q.start_time_max_ns = now_ns;
  if (!end.empty()) {
    auto e = ParseTime("end", end, 1, true, now_ns);
    if (!e.ok()) return e.status();
    q.start_time_max_ns = *e;
  }
  if (!start.empty()) {
    auto s = ParseTime("start", start, 1, true, now_ns);
    if (!s.ok()) return s.status();
    q.start_time_min_ns = *s;
  } else {
    uint64_t back = 3600ull * 1'000'000'000;
    if (!lookback.empty()) {
      auto d = Dur("lookback", lookback);
      if (!d.ok()) return d.status();
      back = *d;
    }
    q.start_time_min_ns = back > q.start_time_max_ns ? 0 : q.start_time_max_ns - back;
  }
  if (q.start_time_min_ns > q.start_time_max_ns) return InvalidArgument("parameter start is after end");
  return q;
}

Result<int32_t> ParseSeverityLevel(std::string_view name, std::string_view value) {
  std::string lv(Trim(value));
  for (auto& c : lv) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, int32_t> kLevels[] = {
      {"trace", 1}, {"debug", 5}, {"info", 9}, {"warn", 13}, {"warning", 13}, {"error", 17}, {"fatal", 21}};
  for (const auto& [level, n] : kLevels) {
    if (lv == level) return n;
  }
  auto n = ParseUint(name, lv);
  if (!n.ok() || *n < 1 || *n > 24) {
    return InvalidArgument("parameter " + std::string(name) + ": a level name (trace, debug, info, warn, error, fatal) or 1..24");
  }
  return static_cast<int32_t>(*n);
}

Result<TimeWindow> ParseDependencyWindow(std::string_view qs, uint64_t now_ns) {
  std::string start, end, lookback;
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "start") start = v;
    else if (k == "end") end = v;
    else if (k == "lookback") lookback = v;
    else return InvalidArgument("unknown parameter '" + k + "'");
  }
  TimeWindow w{0, now_ns};
  if (!end.empty()) {
    auto e = ParseTime("end", end, 1, true, now_ns);
    if (!e.ok()) return e.status();
    w.end_ns = *e;
  }
  if (!start.empty()) {
    auto s = ParseTime("start", start, 1, true, now_ns);
    if (!s.ok()) return s.status();
    w.start_ns = *s;
  } else {
    auto d = Dur("lookback", lookback.empty() ? "24h" : lookback);
    if (!d.ok()) return d.status();
    w.start_ns = *d > w.end_ns ? 0 : w.end_ns - *d;
  }
  if (w.start_ns > w.end_ns) return InvalidArgument("parameter start is after end");
  return w;
}

Result<store::LogQuery> ParseLogSearchParams(std::string_view qs, uint64_t now_ns) {
  store::LogQuery q;
  std::string start, end, lookback;
  for (const auto& [k, v] : SplitQueryString(qs)) {
    if (k == "trace_id") {
      auto id = TraceId::FromHex(Trim(v));
      if (!id) {
        TraceId any;
        if (!detail::HexToBytesAnyCase(Trim(v), any.mutable_bytes().data(), TraceId::kSize)) {
          return InvalidArgument("parameter trace_id: expected 32 hex digits");
        }
        id = any;
      }
      q.trace_id = *id;
    } else if (k == "service") {
      q.service = v;
    } else if (k == "level") {
      auto sev = ParseSeverityLevel("level", v);
      if (!sev.ok()) return sev.status();
      q.min_severity = *sev;
    } else if (k == "q") {
      q.text = v;
    } else if (k == "start") {
      start = v;
    } else if (k == "end") {
      end = v;
    } else if (k == "lookback") {
      lookback = v;
    } else if (k == "limit") {
      auto l = ParseLimit(v, 100);
      if (!l.ok()) return l.status();
      q.limit = *l;
    } else {
      return InvalidArgument("unknown parameter '" + k + "'");
    }
  }
  // A trace's logs are wanted whenever they happened; otherwise default to
  // the last hour like trace search.
  if (!end.empty()) {
    auto e = ParseTime("end", end, 1, true, now_ns);
    if (!e.ok()) return e.status();
    q.start_time_max_ns = *e;
  } else if (!q.trace_id.IsValid()) {
    q.start_time_max_ns = now_ns;
  }
  if (!start.empty()) {
    auto s = ParseTime("start", start, 1, true, now_ns);
    if (!s.ok()) return s.status();
    q.start_time_min_ns = *s;
  } else if (!lookback.empty() || !q.trace_id.IsValid()) {
    uint64_t back = 3600ull * 1'000'000'000;
    if (!lookback.empty()) {
      auto d = Dur("lookback", lookback);
      if (!d.ok()) return d.status();
      back = *d;
    }
    uint64_t top = q.start_time_max_ns == UINT64_MAX ? now_ns : q.start_time_max_ns;
    q.start_time_min_ns = back > top ? 0 : top - back;
  }
  if (q.start_time_min_ns > q.start_time_max_ns) return InvalidArgument("parameter start is after end");
  return q;
}

}  // namespace callpath::query
