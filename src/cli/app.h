// The `callpath` command: argument parsing, one request to callpathd's
// query API, rendering, exit code. main() is a thin shell around RunCli;
// tests drive RunCli with their own environment and output streams.
//
// Exit codes (stable, for scripts):
//   0  success; also a search or log query that matched nothing (the
//      "no traces found" note goes to stderr, stdout stays empty)
//   1  internal error (a bug in callpath)
//   2  usage error: bad arguments, or the server rejected the query (400)
//   3  not found: the trace id is unknown to the server
//   4  server unreachable, HTTP error, or an unreadable response
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "cli/http_client.h"
#include "cli/render.h"

namespace callpath::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,
  kExitUsage = 2,
  kExitNotFound = 3,
  kExitServer = 4,
};

constexpr char kDefaultServer[] = "http://127.0.0.1:16686";

// What the process sees of its surroundings; tests substitute each part.
struct Environment {
  // Reads an environment variable (nullptr when unset).
  std::function<const char*(const char*)> getenv;
  bool stdout_is_tty = false;
  size_t terminal_columns = 0;  // 0 = unknown
  // Performs the request (url, timeout in seconds).
  std::function<HttpReply(const std::string&, long)> http_get;
  // What `callpath mcp` reads its messages from (the process's stdin).
  std::istream* input = nullptr;

  // The real process environment, terminal and libcurl.
  static Environment FromProcess();
};

enum class Command { kTrace, kExplain, kSearch, kServices, kOperations, kLogs, kMcp, kDiagnose, kCompare, kTop };
enum class OutputMode { kText, kJson, kRawJson };

// A parsed command line: the request to make and how to show the answer.
struct Invocation {
  Command command = Command::kServices;
  std::string server;  // base URL, no trailing '/'
  // Path and query string under the server, e.g. "/api/v1/search?limit=20".
  std::string target;
  std::string subject;  // trace id or service, for messages
  size_t limit = 0;     // search/logs limit asked for (0 = server default)
  OutputMode output = OutputMode::kText;
  RenderOptions render;
  long timeout_seconds = 30;
};

struct ParsedArgs {
  std::optional<Invocation> invocation;  // empty: exit with exit_code
  int exit_code = kExitOk;
  std::string out;  // --help / --version text
  std::string err;  // usage error message
};

// Parses argv; never throws.
ParsedArgs ParseArgs(int argc, const char* const* argv, const Environment& env);

// Runs one command; never throws. Returns the process exit code.
int RunCli(int argc, const char* const* argv, const Environment& env, std::ostream& out,
           std::ostream& err);

}  // namespace callpath::cli
