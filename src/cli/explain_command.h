// `callpath explain <trace_id> [--json]`: why one trace failed or was
// slow, from GET /api/v1/traces/{id}/explain; and the same request made
// by `callpath trace` for the verdict it ends with.
#pragma once

#include <optional>
#include <string>

#include "cli/app.h"
#include "cli/explain_view.h"

namespace CLI {
class App;
}

namespace callpath::cli {

// Adds the `explain` subcommand; its trace id goes to `*trace_id`.
CLI::App* AddExplainCommand(CLI::App& app, std::string* trace_id);

// "/api/v1/traces/<id>/explain".
std::string ExplainTarget(const std::string& trace_id);

// The explain verdict of `trace_id` from the server, or nullopt when it
// gives none (an older server, an error): `callpath trace` then ends with
// its own footer.
std::optional<ExplainView> FetchVerdict(const Invocation& inv, const Environment& env);

}  // namespace callpath::cli
