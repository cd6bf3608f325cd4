#include "cli/app.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/api_analyze.h"
#include "cli/api_model.h"
#include "cli/explain_command.h"
#include "cli/json_pretty.h"
#include "cli/mcp_stdio.h"
#include "cli/render_analyze.h"
#include "cli/text.h"
#include "cli/top.h"

namespace callpath::cli {
namespace {

// Writes the rendering of a parsed document, or explains why the answer
// could not be read.
template <typename T, typename Render>
int Show(const Result<T>& parsed, Render render, std::ostream& out, std::ostream& err) {
  if (!parsed.ok()) {
    err << "callpath: unreadable answer from the server: " << Sanitize(parsed.status().message()) << "\n";
    return kExitServer;
  }
  out << render(parsed.value());
  return kExitOk;
}

int Execute(const Invocation& inv, const Environment& env, std::ostream& out, std::ostream& err) {
  if (inv.command == Command::kMcp) {
    if (env.input == nullptr) {
      err << "callpath: mcp needs its messages on standard input\n";
      return kExitUsage;
    }
    return RunMcpStdio(inv.server, inv.timeout_seconds, *env.input, out, err);
  }
  std::string url = inv.server + inv.target;
  HttpReply reply = env.http_get(url, inv.timeout_seconds);
  if (!reply.answered) {
    err << "callpath: cannot reach the callpath server at " << Sanitize(inv.server) << ": "
        << Sanitize(reply.error) << "\n"
        << "callpath: is callpathd running? Point --server or CALLPATH_SERVER at its query port.\n";
    return kExitServer;
  }
  if (reply.status < 200 || reply.status > 299) {
    std::string message = ParseErrorMessage(reply.body);
    if (message.empty()) message = Truncate(Sanitize(reply.body), 200);
    if (reply.status == 404 && inv.command == Command::kCompare) {
      err << "callpath: " << Sanitize(message) << "\n";
      return kExitNotFound;
    }
    if (reply.status == 404 && (inv.command == Command::kTrace || inv.command == Command::kExplain)) {
      err << "callpath: trace " << inv.subject << " not found\n";
      return kExitNotFound;
    }
    if (reply.status == 400) {
      err << "callpath: the server rejected the query: " << Sanitize(message) << "\n";
      return kExitUsage;
    }
    err << "callpath: " << Sanitize(url) << ": HTTP " << reply.status
        << (message.empty() ? "" : ": " + Sanitize(message)) << "\n";
    return kExitServer;
  }
  if (inv.output == OutputMode::kRawJson) {
    out << reply.body;
    if (reply.body.empty() || reply.body.back() != '\n') out << '\n';
    return kExitOk;
  }
  if (inv.output == OutputMode::kJson) {
    out << PrettyJson(reply.body);
    return kExitOk;
  }
  const RenderOptions& ro = inv.render;
  switch (inv.command) {
    case Command::kTrace: {
      auto parsed = ParseTrace(reply.body);
      std::optional<ExplainView> verdict;
      if (parsed.ok()) verdict = FetchVerdict(inv, env);
      return Show(parsed, [&](const TraceView& t) { return RenderTraceText(t, ro, verdict ? &*verdict : nullptr); },
                  out, err);
    }
    case Command::kExplain:
      return Show(ParseExplain(reply.body), [&](const ExplainView& e) { return RenderExplainText(e, ro); }, out, err);
    case Command::kSearch: {
      auto parsed = ParseSearch(reply.body);
      int rc = Show(parsed, [&](const auto& v) { return RenderSearchText(v, ro); }, out, err);
      if (rc == kExitOk && parsed.value().empty()) err << "callpath: no traces found\n";
      if (rc == kExitOk && inv.limit && parsed.value().size() >= inv.limit) {
        err << "callpath: showing the first " << inv.limit << " traces; raise --limit for more\n";
      }
      return rc;
    }
    case Command::kServices: {
      auto parsed = ParseServices(reply.body);
      int rc = Show(parsed, [&](const auto& v) { return RenderServicesText(v, ro); }, out, err);
      if (rc == kExitOk && parsed.value().empty()) err << "callpath: no services have sent spans yet\n";
      return rc;
    }
    case Command::kOperations: {
      auto parsed = ParseOperations(reply.body);
      int rc = Show(parsed, [&](const auto& v) { return RenderOperationsText(v, ro); }, out, err);
      if (rc == kExitOk && parsed.value().empty()) {
        err << "callpath: no operations for service '" << Sanitize(inv.subject) << "'\n";
      }
      return rc;
    }
    case Command::kLogs: {
      auto parsed = ParseLogs(reply.body);
      int rc = Show(parsed, [&](const auto& v) { return RenderLogsText(v, ro); }, out, err);
      if (rc == kExitOk && parsed.value().empty()) err << "callpath: no log records found\n";
      if (rc == kExitOk && inv.limit && parsed.value().size() >= inv.limit) {
        err << "callpath: showing the newest " << inv.limit << " records; raise --limit for more\n";
      }
      return rc;
    }
    case Command::kDiagnose:
      return Show(ParseDiagnosis(reply.body), [&](const auto& d) { return RenderDiagnosisText(d, ro); }, out, err);
    case Command::kCompare:
      return Show(ParseComparison(reply.body), [&](const auto& c) { return RenderComparisonText(c, ro); }, out, err);
    case Command::kTop: {
      auto parsed = ParseTop(reply.body);
      int rc = Show(parsed, [&](const auto& v) { return RenderTopText(v, ro); }, out, err);
      if (rc == kExitOk && parsed.value().rows.empty()) err << "callpath: no calls in the window\n";
      return rc;
    }
    case Command::kMcp:
      break;  // relayed above
  }
  return kExitInternal;
}

}  // namespace

Environment Environment::FromProcess() {
  Environment env;
  env.getenv = [](const char* name) -> const char* { return std::getenv(name); };
  env.stdout_is_tty = ::isatty(STDOUT_FILENO) == 1;
  if (env.stdout_is_tty) {
    struct winsize ws {};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) env.terminal_columns = ws.ws_col;
  }
  env.http_get = HttpGet;
  env.input = &std::cin;
  return env;
}

int RunCli(int argc, const char* const* argv, const Environment& env, std::ostream& out, std::ostream& err) {
  try {
    ParsedArgs args = ParseArgs(argc, argv, env);
    out << args.out;
    err << args.err;
    if (!args.invocation) return args.exit_code;
    int rc = Execute(*args.invocation, env, out, err);
    out.flush();
    if (!out) {
      err << "callpath: cannot write the output\n";
      return rc == kExitOk ? kExitInternal : rc;
    }
    return rc;
  } catch (const std::exception& e) {
    err << "callpath: internal error: " << e.what() << "\n";
  } catch (...) {
    err << "callpath: internal error\n";
  }
  return kExitInternal;
}

}  // namespace callpath::cli
