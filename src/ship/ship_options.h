// What callpath-ship is told: from the command line or a YAML file with the
// same names (the file's keys are the long flags without "--", lists for
// the repeatable ones, a map for resource attributes).
//
//   callpath-ship --endpoint http://127.0.0.1:4318/v1/logs --checkpoint-dir DIR
//                 [--format auto|json|logfmt|text|regex:PATTERN] [--service NAME]
//                 [--resource key=value ...] --path GLOB [--path GLOB ...]
//   callpath-ship --config ship.yaml
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "callpath/status.h"

namespace callpath::ship {

struct ShipOptions {
  std::string endpoint;            // OTLP/HTTP logs URL; "/v1/logs" is added to a bare host:port URL
  std::string checkpoint_dir;      // where the checkpoint lives (created if missing)
  std::vector<std::string> paths;  // glob patterns of files to follow
  std::string format = "auto";     // logparse::LineParser format
  std::string service;             // service.name for records that name none
  std::vector<std::pair<std::string, std::string>> resource;  // extra resource attributes
  bool multiline = true;           // join Java/Python stack traces
  bool gzip = true;                // compress request bodies
  size_t batch_max_records = 2000;            // records per request at most
  size_t batch_max_bytes = 1024 * 1024;       // bytes of log text per request at most
  std::chrono::milliseconds poll_interval{100};  // how often files are checked when idle
  // A file that no longer matches a glob (rotated away) or was deleted is
  // finished - its unterminated last line sent - after this long unchanged.
  std::chrono::milliseconds finish_after{5000};
  std::chrono::milliseconds max_backoff{5000};   // the longest wait between retries
  bool once = false;               // ship what the files hold, then exit (tests, benchmarks)
};

// Parses argv. InvalidArgument with a message for bad or missing options;
// `help` is set (and OK returned) for --help, with the usage in *usage.
Status ParseShipArgs(int argc, const char* const* argv, ShipOptions* out, bool* help, std::string* usage);

// Reads a YAML config file into `out` (flags given besides --config win).
Status LoadShipConfigFile(const std::string& path, ShipOptions* out);

// Checks what a run needs (endpoint, checkpoint dir, paths) and completes a
// bare "http://host:port" endpoint with /v1/logs.
Status ValidateShipOptions(ShipOptions* out);

}  // namespace callpath::ship
