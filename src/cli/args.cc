// Command-line grammar of `callpath` (CLI11) and its translation into one
// query-API request. Values the server would reject are checked here first
// so that a typo is a usage error (exit 2) before any network traffic.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "callpath/version.h"
#include "cli/app.h"
#include "cli/explain_command.h"
#include "cli/text.h"

namespace callpath::cli {
namespace {

constexpr char kFooter[] = R"(
Environment:
  CALLPATH_SERVER   query API base URL (default http://127.0.0.1:16686); --server wins
  NO_COLOR          set and non-empty: no colours with --color auto

Exit codes:
  0 ok (also: a search or log query that matched nothing)   1 internal error
  2 usage error or query rejected by the server              3 trace not found
  4 server unreachable, HTTP error or unreadable response)";

struct UsageError {
  std::string message;
};

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// 1..32 hex digits, not all zero; returned lowercase and left-padded to 32
// when `pad` (the logs API wants the full id).
std::string TraceIdArg(const std::string& flag, std::string id, bool pad) {
  if (id.empty() || id.size() > 32 || !IsHex(id) || id.find_first_not_of('0') == std::string::npos) {
    throw UsageError{flag + ": a trace id is 1 to 32 hex digits, not all zero (got '" + Sanitize(id) + "')"};
  }
  for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (pad) id.insert(0, 32 - id.size(), '0');
  return id;
}

// "100ms", "1.5s", "1h30m": a number and a unit, repeated. Unlike the
// server, a bare number is refused: its unit would be a guess.
bool IsDuration(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    bool dot = false;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || (s[i] == '.' && !dot))) {
      dot |= s[i] == '.';
      ++i;
    }
    if (i == start) return false;
    size_t u = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string_view unit = s.substr(u, i - u);
    if (unit != "ns" && unit != "us" && unit != "\xc2\xb5s" && unit != "ms" && unit != "s" && unit != "m" &&
        unit != "h" && unit != "d") {
      return false;
    }
  }
  return true;
}

std::string DurationArg(const std::string& flag, const std::string& v) {
  if (!IsDuration(v)) {
    throw UsageError{flag + ": want a duration such as 250us, 100ms, 1.5s, 2m, 1h (got '" + Sanitize(v) + "')"};
  }
  return v;
}

// RFC 3339 date-time -> Unix ns. Without a zone the time is local.
bool ParseDateTime(const std::string& s, uint64_t* out) {
  std::tm tm{};
  int y, mo, d, h, mi, se, n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T t]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  size_t pos = static_cast<size_t>(n);
  uint64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    uint64_t scale = 100'000'000;
    size_t digits = 0;
    while (++pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      frac += static_cast<uint64_t>(s[pos] - '0') * scale;
      scale /= 10;
      ++digits;
    }
    if (digits == 0) return false;
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  long long secs;
  if (pos == s.size()) {
    tm.tm_isdst = -1;
    secs = static_cast<long long>(std::mktime(&tm));
  } else if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) return false;
    secs = static_cast<long long>(timegm(&tm));
  } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
    int oh = std::atoi(s.substr(pos + 1, 2).c_str()), om = std::atoi(s.substr(pos + 4, 2).c_str());
    secs = static_cast<long long>(timegm(&tm)) - (s[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  if (secs < 0) return false;
  *out = static_cast<uint64_t>(secs) * 1'000'000'000ull + frac;
  return true;
}

// --start / --end: an RFC 3339 time, Unix nanoseconds, or a duration ago.
std::string TimeArg(const std::string& flag, const std::string& v) {
  if (!v.empty() && v.size() <= 19 && v.find_first_not_of("0123456789") == std::string::npos) return v;
  if (IsDuration(v)) return v;
  uint64_t ns;
  if (ParseDateTime(v, &ns)) return std::to_string(ns);
  throw UsageError{flag + ": want an RFC 3339 time (2024-05-01T12:00:00Z), Unix nanoseconds or a duration ago "
                   "(15m) (got '" + Sanitize(v) + "')"};
}

class Query {
 public:
  void Add(std::string_view key, std::string_view value) {
    q_ += q_.empty() ? '?' : '&';
    q_ += UrlEncode(key);
    q_ += '=';
    q_ += UrlEncode(value);
  }
  const std::string& str() const { return q_; }

 private:
  std::string q_;
};

std::string NormalizeServer(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s.empty()) throw UsageError{"--server: empty URL"};
  if (s.find("://") == std::string::npos) s = "http://" + s;
  if (!s.starts_with("http://") && !s.starts_with("https://")) {
    throw UsageError{"--server: want an http:// or https:// URL (got '" + Sanitize(s) + "')"};
  }
  return s;
}

// The flags every command takes.
struct GlobalFlags {
  std::string server, color = "auto";
  bool json = false, raw = false, utc = false;
  int width = -1;
  long timeout = 30;
};

struct SearchFlags {
  std::string service, operation, min_duration, max_duration, since, start, end;
  std::string min_trace_duration, max_trace_duration, through;  // trace-level
  std::vector<std::string> tags;
  bool errors = false;
  size_t limit = 0;
};

struct OperationsFlags {
  std::string service, kind;
};

struct DiagnoseFlags {
  std::string since, start, end, baseline_start, baseline_end, service;
};

struct LogsFlags {
  std::string trace, service, level, grep, since, start, end;
  size_t limit = 0;
};

void AddGlobalFlags(CLI::App& app, GlobalFlags* g) {
  app.add_option("--server", g->server, "query API base URL (env CALLPATH_SERVER; default http://127.0.0.1:16686)");
  app.add_flag("--json", g->json, "print the API's JSON answer, indented");
  app.add_flag("--raw", g->raw, "print the API's JSON answer exactly as received");
  app.add_option("--color", g->color, "colours: auto (on a terminal, unless NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--width", g->width, "cut lines at this many columns; 0 = never (default: terminal width)")
      ->check(CLI::Range(0, 100000));
  app.add_flag("--utc", g->utc, "show times in UTC instead of the local time zone");
  app.add_option("--timeout", g->timeout, "seconds to wait for the server (default 30)")->check(CLI::Range(1, 3600));
}

CLI::App* AddSearchCommand(CLI::App& app, SearchFlags* f) {
  auto* search = app.add_subcommand("search", "find traces");
  search->add_option("--service", f->service, "traces with a span of this service");
  search->add_option("--operation", f->operation, "... and this operation (needs --service)")->needs("--service");
  search->add_option("--tag", f->tags, "span attribute key=value (repeatable; all must match)")
      ->allow_extra_args(false);
  search->add_option("--min-duration", f->min_duration, "a span at least this long, e.g. 100ms");
  search->add_option("--max-duration", f->max_duration, "a span at most this long");
  search->add_flag("--errors", f->errors, "only traces with an error span");
  search->add_option("--min-trace-duration", f->min_trace_duration, "the whole trace at least this long");
  search->add_option("--max-trace-duration", f->max_trace_duration, "the whole trace at most this long");
  search->add_option("--through", f->through, "traces that pass through every one of these services (svcA,svcB)");
  auto* since = search->add_option("--since", f->since, "time window ending now, e.g. 15m, 2h (default 1h)");
  search->add_option("--start", f->start, "window start: RFC 3339, Unix ns, or a duration ago")->excludes(since);
  search->add_option("--end", f->end, "window end (default now)");
  search->add_option("--limit", f->limit, "at most this many traces (1..10000, default 20)")
      ->check(CLI::Range(1, 10000));
  return search;
}

CLI::App* AddDiagnoseCommand(CLI::App& app, DiagnoseFlags* f) {
  auto* diagnose = app.add_subcommand("diagnose", "what changed in a time window, and the services most likely behind it");
  auto* since = diagnose->add_option("--since", f->since, "the window ending now, e.g. 5m (default 15m)");
  diagnose->add_option("--start", f->start, "window start: RFC 3339, Unix ns, or a duration ago")->excludes(since);
  diagnose->add_option("--end", f->end, "window end (default now)");
  diagnose->add_option("--baseline-start", f->baseline_start, "baseline start (default: the window's length before it)");
  diagnose->add_option("--baseline-end", f->baseline_end, "baseline end (default: the window's start)");
  diagnose->add_option("--service", f->service, "only this service and the services it calls");
  return diagnose;
}

CLI::App* AddOperationsCommand(CLI::App& app, OperationsFlags* f) {
  auto* operations = app.add_subcommand("operations", "list a service's operations");
  operations->add_option("service", f->service, "service name")->required();
  operations->add_option("--kind", f->kind, "only this span kind")
      ->check(CLI::IsMember({"internal", "server", "client", "producer", "consumer"}));
  return operations;
}

CLI::App* AddLogsCommand(CLI::App& app, LogsFlags* f) {
  auto* logs = app.add_subcommand("logs", "search log records");
  logs->add_option("--trace", f->trace, "records of this trace");
  logs->add_option("--service", f->service, "records of this service");
  logs->add_option("--level", f->level, "at least this level: trace, debug, info, warn, error, fatal")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "fatal"}, CLI::ignore_case));
  logs->add_option("--grep", f->grep, "message contains this text (case-sensitive)");
  auto* since = logs->add_option("--since", f->since, "time window ending now (default 1h; a trace's logs: all)");
  logs->add_option("--start", f->start, "window start: RFC 3339, Unix ns, or a duration ago")->excludes(since);
  logs->add_option("--end", f->end, "window end (default now)");
  logs->add_option("--limit", f->limit, "at most this many records (1..10000, default 100)")
      ->check(CLI::Range(1, 10000));
  return logs;
}

// Server, output mode and rendering from the global flags and the
// environment (CALLPATH_SERVER, NO_COLOR, TERM, the terminal).
void ApplyGlobalFlags(GlobalFlags g, const Environment& env, Invocation* inv) {
  if (g.server.empty()) {
    const char* e = env.getenv ? env.getenv("CALLPATH_SERVER") : nullptr;
    g.server = e && *e ? e : kDefaultServer;
  }
  inv->server = NormalizeServer(g.server);
  inv->timeout_seconds = g.timeout;
  inv->output = g.raw ? OutputMode::kRawJson : g.json ? OutputMode::kJson : OutputMode::kText;
  const char* no_color = env.getenv ? env.getenv("NO_COLOR") : nullptr;
  const char* term = env.getenv ? env.getenv("TERM") : nullptr;
  inv->render.color = g.color == "always" || (g.color == "auto" && env.stdout_is_tty && !(no_color && *no_color) &&
                                              !(term && std::string_view(term) == "dumb"));
  if (g.width >= 0) {
    inv->render.width = static_cast<size_t>(g.width);
  } else if (env.stdout_is_tty) {
    inv->render.width = env.terminal_columns ? env.terminal_columns : 120;
  } else {
    inv->render.width = 0;  // a file or a pipe gets whole lines
  }
  inv->render.utc = g.utc;
}

void SetSearchTarget(const SearchFlags& f, Invocation* inv) {
  Query q;
  inv->command = Command::kSearch;
  if (!f.service.empty()) q.Add("service", f.service);
  if (!f.operation.empty()) q.Add("operation", f.operation);
  for (const auto& t : f.tags) {
    // key=value, or the API's own key:value. The API splits at the
    // first ':', so in key=value form the key may not contain one.
    size_t eq = t.find('='), colon = t.find(':');
    size_t sep = std::min(eq, colon);
    if (sep == std::string::npos) throw UsageError{"--tag: want key=value (got '" + Sanitize(t) + "')"};
    if (sep == 0) throw UsageError{"--tag: empty key in '" + Sanitize(t) + "'"};
    q.Add("tag", t.substr(0, sep) + ":" + t.substr(sep + 1));
  }
  if (!f.min_duration.empty()) q.Add("min_duration", DurationArg("--min-duration", f.min_duration));
  if (!f.max_duration.empty()) q.Add("max_duration", DurationArg("--max-duration", f.max_duration));
  if (f.errors) q.Add("errors", "true");
  if (!f.min_trace_duration.empty()) {
    q.Add("min_trace_duration", DurationArg("--min-trace-duration", f.min_trace_duration));
  }
  if (!f.max_trace_duration.empty()) {
    q.Add("max_trace_duration", DurationArg("--max-trace-duration", f.max_trace_duration));
  }
  if (!f.through.empty()) q.Add("services_all", f.through);
  if (!f.since.empty()) q.Add("lookback", DurationArg("--since", f.since));
  if (!f.start.empty()) q.Add("start", TimeArg("--start", f.start));
  if (!f.end.empty()) q.Add("end", TimeArg("--end", f.end));
  if (f.limit) q.Add("limit", std::to_string(f.limit));
  inv->limit = f.limit ? f.limit : 20;
  inv->target = "/api/v1/search" + q.str();
}

void SetDiagnoseTarget(const DiagnoseFlags& f, Invocation* inv) {
  Query q;
  inv->command = Command::kDiagnose;
  if (f.start.empty()) {
    q.Add("start", DurationArg("--since", f.since.empty() ? "15m" : f.since));
  } else {
    q.Add("start", TimeArg("--start", f.start));
  }
  if (!f.end.empty()) q.Add("end", TimeArg("--end", f.end));
  if (f.baseline_start.empty() != f.baseline_end.empty()) {
    throw UsageError{"--baseline-start and --baseline-end go together"};
  }
  if (!f.baseline_start.empty()) {
    q.Add("baseline_start", TimeArg("--baseline-start", f.baseline_start));
    q.Add("baseline_end", TimeArg("--baseline-end", f.baseline_end));
  }
  if (!f.service.empty()) q.Add("service", f.service);
  inv->target = "/api/v1/diagnose" + q.str();
}

void SetLogsTarget(const LogsFlags& f, Invocation* inv) {
  Query q;
  inv->command = Command::kLogs;
  if (!f.trace.empty()) q.Add("trace_id", TraceIdArg("--trace", f.trace, true));
  if (!f.service.empty()) q.Add("service", f.service);
  if (!f.level.empty()) {
    std::string lv = f.level;
    for (auto& c : lv) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    q.Add("level", lv);
  }
  if (!f.grep.empty()) q.Add("q", f.grep);
  if (!f.since.empty()) q.Add("lookback", DurationArg("--since", f.since));
  if (!f.start.empty()) q.Add("start", TimeArg("--start", f.start));
  if (!f.end.empty()) q.Add("end", TimeArg("--end", f.end));
  if (f.limit) q.Add("limit", std::to_string(f.limit));
  inv->limit = f.limit ? f.limit : 100;
  inv->target = "/api/v1/logs" + q.str();
}

}  // namespace

ParsedArgs ParseArgs(int argc, const char* const* argv, const Environment& env) {
  ParsedArgs result;
  CLI::App app{"callpath: find the service, operation and log line behind a failed or slow request.",
               "callpath"};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("callpath ") + kVersion);

  GlobalFlags global;
  AddGlobalFlags(app, &global);
  std::string trace_id;
  auto* trace = app.add_subcommand("trace", "show one trace: call tree, timings, logs and the likely root cause");
  trace->add_option("id", trace_id, "trace id (hex, leading zeros may be left out)")->required();
  auto* explain = AddExplainCommand(app, &trace_id);
  SearchFlags search_flags;
  auto* search = AddSearchCommand(app, &search_flags);
  app.add_subcommand("services", "list the services that sent spans");
  OperationsFlags ops_flags;
  auto* operations = AddOperationsCommand(app, &ops_flags);
  LogsFlags logs_flags;
  auto* logs = AddLogsCommand(app, &logs_flags);
  DiagnoseFlags diagnose_flags;
  auto* diagnose = AddDiagnoseCommand(app, &diagnose_flags);
  std::string compare_a, compare_b;
  auto* compare = app.add_subcommand("compare", "what differs between two traces: spans, timings, status, log lines");
  compare->add_option("a", compare_a, "the first trace id (the reference)")->required();
  compare->add_option("b", compare_b, "the second trace id")->required();
  std::string top_since = "15m", top_service;
  auto* top = app.add_subcommand("top", "services (or one service's operations) by rate, with errors, p99 and "
                                        "the change against the window before");
  top->add_option("--since", top_since, "the window ending now, e.g. 5m, 1h (default 15m)");
  top->add_option("--service", top_service, "this service's operations instead of the services");
  auto* mcp = app.add_subcommand("mcp",
                                 "speak MCP on stdin/stdout for an agent, relayed to the server's /api/mcp "
                                 "(one JSON-RPC message per line)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    int code = app.exit(e, out, err);
    result.out = out.str();
    result.err = err.str();
    result.exit_code = code == 0 ? kExitOk : kExitUsage;
    return result;
  }

  try {
    Invocation inv;
    ApplyGlobalFlags(global, env, &inv);
    if (trace->parsed()) {
      inv.command = Command::kTrace;
      inv.subject = TraceIdArg("trace id", trace_id, false);
      inv.target = "/api/v1/traces/" + inv.subject;
    } else if (explain->parsed()) {
      inv.command = Command::kExplain;
      inv.subject = TraceIdArg("trace id", trace_id, false);
      inv.target = ExplainTarget(inv.subject);
    } else if (search->parsed()) {
      SetSearchTarget(search_flags, &inv);
    } else if (operations->parsed()) {
      Query q;
      inv.command = Command::kOperations;
      inv.subject = ops_flags.service;
      q.Add("service", ops_flags.service);
      if (!ops_flags.kind.empty()) q.Add("kind", ops_flags.kind);
      inv.target = "/api/v1/operations" + q.str();
    } else if (logs->parsed()) {
      SetLogsTarget(logs_flags, &inv);
    } else if (diagnose->parsed()) {
      SetDiagnoseTarget(diagnose_flags, &inv);
    } else if (compare->parsed()) {
      inv.command = Command::kCompare;
      std::string a = TraceIdArg("first trace id", compare_a, false), b = TraceIdArg("second trace id", compare_b, false);
      inv.subject = a + " or " + b;
      inv.target = "/api/v1/compare?a=" + a + "&b=" + b;
    } else if (top->parsed()) {
      Query q;
      inv.command = Command::kTop;
      q.Add("since", DurationArg("--since", top_since));
      if (!top_service.empty()) q.Add("service", top_service);
      inv.subject = top_service;
      inv.target = "/api/v1/top" + q.str();
    } else if (mcp->parsed()) {
      inv.command = Command::kMcp;
      inv.target = "/api/mcp";
    } else {
      inv.command = Command::kServices;
      inv.target = "/api/v1/services";
    }
    result.invocation = std::move(inv);
  } catch (const UsageError& e) {
    result.exit_code = kExitUsage;
    result.err = "callpath: " + e.message + "\n";
  }
  return result;
}

}  // namespace callpath::cli
