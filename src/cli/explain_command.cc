#include "cli/explain_command.h"

#include <CLI/CLI.hpp>

#include "cli/explain_view.h"

namespace callpath::cli {

CLI::App* AddExplainCommand(CLI::App& app, std::string* trace_id) {
  auto* explain = app.add_subcommand(
      "explain", "why one trace failed or was slow: ranked causes, each with its evidence and baseline");
  explain->add_option("id", *trace_id, "trace id (hex, leading zeros may be left out)")->required();
  return explain;
}

std::string ExplainTarget(const std::string& trace_id) { return "/api/v1/traces/" + trace_id + "/explain"; }

std::optional<ExplainView> FetchVerdict(const Invocation& inv, const Environment& env) {
  HttpReply reply = env.http_get(inv.server + ExplainTarget(inv.subject), inv.timeout_seconds);
  if (!reply.answered || reply.status != 200) return std::nullopt;
  auto parsed = ParseExplain(reply.body);
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed).value();
}

}  // namespace callpath::cli
