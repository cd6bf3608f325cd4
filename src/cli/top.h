// `callpath top`: services (or one service's operations) busiest first,
// with their request rate, error share and p99 latency in a recent window
// and how each changed against the window before it. The figures come from
// the server's GET /api/v1/top (the statistics callpathd keeps at ingest).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"
#include "cli/render.h"

namespace callpath::cli {

struct TopFiguresView {
  uint64_t calls = 0;
  double rate_per_second = 0;
  double error_rate = 0;
  std::optional<double> p99_ms;  // none without calls
};

struct TopRowView {
  std::string service;
  std::string operation;  // "" in the services view
  std::string kind;
  TopFiguresView now, before;
};

struct TopView {
  std::string service;  // "" = the services view
  uint64_t window_ns = 0;
  std::vector<TopRowView> rows;
};

// The /api/v1/top document; InvalidArgument for anything else.
Result<TopView> ParseTop(std::string_view json);

// SERVICE (or OPERATION and KIND), RATE/S, ERRORS, P99, each followed by
// its change: rates and latencies in percent, the error share in points;
// "new" where the previous window had no calls.
std::string RenderTopText(const TopView& top, const RenderOptions& options);

}  // namespace callpath::cli
