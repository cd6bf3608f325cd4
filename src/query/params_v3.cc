// Jaeger api_v3 search parameters and RFC 3339 times (params.h).
#include <charconv>
#include <ctime>
#include <optional>
#include <tuple>

#include "query/params.h"

namespace callpath::query {

namespace {

constexpr uint64_t kHourNs = 3600ull * 1'000'000'000;

struct V3Params {
  std::vector<std::pair<std::string, std::string>> all;
  // The value of the canonical name, else of its alias, and which was used.
  std::pair<std::string, std::string> Get(std::string_view name, std::string_view alias = {}) const {
    for (std::string_view n : {name, alias}) {
      if (n.empty()) continue;
      for (const auto& [k, v] : all) {
        if (k == n && !v.empty()) return {v, std::string(n)};
      }
    }
    return {std::string(), std::string(name)};
  }
};

V3Params Split(std::string_view qs) {
  V3Params p;
  p.all = SplitQueryString(qs);
  return p;
}

Status Malformed(const std::string& name, std::string_view why) {
  return InvalidArgument("malformed parameter " + name + ": " + std::string(why));
}

}  // namespace

Result<uint64_t> ParseRfc3339(std::string_view s) {
  auto bad = [&] { return InvalidArgument("want an RFC 3339 time like 2024-05-01T12:00:00Z, not '" + std::string(s) + "'"); };
  auto num = [&](size_t pos, size_t len, int* out) {
    if (pos + len > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || !num(0, 4, &y) || s[4] != '-' || !num(5, 2, &mo) || s[7] != '-' ||
      !num(8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, &h) ||
      s[13] != ':' || !num(14, 2, &mi) || s[16] != ':' || !num(17, 2, &se)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return bad();
  size_t pos = 19;
  uint64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    uint64_t scale = 100000000;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) frac_ns += static_cast<uint64_t>(s[pos] - '0') * scale;
      scale /= 10;
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-' || s[pos] == ' ')) {
    int oh, om;
    if (!num(pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !num(pos + 4, 2, &om)) {
      return bad();
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_s;
  if (secs < 0) return InvalidArgument("time before 1970: '" + std::string(s) + "'");
  return static_cast<uint64_t>(secs) * 1'000'000'000ull + frac_ns;
}

Result<store::TraceQuery> ParseApiV3SearchParams(std::string_view qs, uint64_t now_ns) {
  const V3Params p = Split(qs);
  store::TraceQuery q;
  q.service = p.Get("query.serviceName", "query.service_name").first;
  q.operation = p.Get("query.operationName", "query.operation_name").first;
  if (!q.operation.empty() && q.service.empty()) {
    return InvalidArgument("parameter query.operationName needs query.serviceName");
  }
  if (auto [attrs, name] = p.Get("query.attributes"); !attrs.empty()) {
    Status s = ParseJaegerTags(attrs, &q.tags);
    if (!s.ok()) return Malformed(name, s.message());
  }
  for (const auto& [k, v] : p.all) {
    // callpath's older form, one parameter per attribute.
    if (k.starts_with("query.attributes.") && k.size() > 17) q.tags.emplace_back(k.substr(17), v);
  }
  if (!p.Get("query.filter").first.empty()) {
    return InvalidArgument("parameter query.filter is not supported; use query.attributes");
  }

  auto [max_text, max_name] = p.Get("query.startTimeMax", "query.start_time_max");
  auto [min_text, min_name] = p.Get("query.startTimeMin", "query.start_time_min");
  q.start_time_max_ns = now_ns;
  if (!max_text.empty()) {
    auto t = ParseRfc3339(max_text);
    if (!t.ok()) return Malformed(max_name, t.status().message());
    q.start_time_max_ns = *t;
  }
  q.start_time_min_ns = q.start_time_max_ns > kHourNs ? q.start_time_max_ns - kHourNs : 0;
  if (!min_text.empty()) {
    auto t = ParseRfc3339(min_text);
    if (!t.ok()) return Malformed(min_name, t.status().message());
    q.start_time_min_ns = *t;
  }
  if (q.start_time_min_ns >= q.start_time_max_ns) {
    return InvalidArgument("query.startTimeMin must be before query.startTimeMax");
  }

  for (auto [field, name, alias] :
       {std::tuple{&q.min_span_duration_ns, "query.durationMin", "query.duration_min"},
        std::tuple{&q.max_span_duration_ns, "query.durationMax", "query.duration_max"}}) {
    auto [text, used] = p.Get(name, alias);
    if (text.empty()) continue;
    auto d = ParseDuration(text);
    if (!d.ok()) return Malformed(used, d.status().message());
    *field = *d;
  }
  if (q.max_span_duration_ns && q.min_span_duration_ns > q.max_span_duration_ns) {
    return InvalidArgument("query.durationMin is greater than query.durationMax");
  }

  auto [depth, depth_name] = p.Get("query.searchDepth", "query.search_depth");
  if (depth.empty()) std::tie(depth, depth_name) = p.Get("query.num_traces");
  q.limit = 100;  // Jaeger's default search depth
  if (!depth.empty()) {
    uint64_t n = 0;
    auto r = std::from_chars(depth.data(), depth.data() + depth.size(), n);
    if (r.ec != std::errc() || r.ptr != depth.data() + depth.size() || n == 0 || n > 10000) {
      return Malformed(depth_name, "want 1..10000");
    }
    q.limit = n;
  }
  return q;
}

}  // namespace callpath::query
