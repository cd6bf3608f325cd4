// DaemonConfig: everything callpathd can be told, and where it comes from.
//
// Three sources, later ones win key by key:
//   1. a YAML file (`--config FILE`, keys are the flag names with '_' or '-'),
//   2. environment variables `CALLPATHD_<FLAG>` (`CALLPATHD_DATA_DIR`, ...),
//   3. command-line flags (`--data-dir DIR`, ...).
// Defaults are written inline below.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "callpath/status.h"

namespace callpath::daemon {

struct DaemonConfig {
  // Where the embedded store keeps its files; created if missing.
  std::string data_dir = "callpath-data";

  // Listen addresses, "host:port". Port 0 picks a free port; the chosen ports
  // are printed on stdout and written to `ready_file`. An empty string turns
  // the listener off.
  std::string otlp_grpc_listen = "127.0.0.1:4317";
  std::string otlp_http_listen = "127.0.0.1:4318";
  std::string query_listen = "127.0.0.1:16686";

  // Static UI files; empty = "<exe dir>/../share/callpath/ui" then
  // "<exe dir>/../ui/dist". Without files an embedded page is served.
  std::string ui_dir;

  // When set, a small JSON file with the bound ports is written here once
  // every listener accepts connections (atomically, via rename).
  std::string ready_file;

  // Largest request body accepted, measured after decompression. Bigger
  // bodies and gzip bombs get 413 (HTTP) / RESOURCE_EXHAUSTED (gRPC).
  uint64_t max_body_bytes = 64ull << 20;

  // A span, event, link or log record with more attributes than this, or
  // with an attribute value longer than max_attribute_bytes, is rejected
  // (partial success naming the limit; 400 when nothing else was sent).
  // OpenTelemetry SDKs limit attributes to 128 by default.
  uint64_t max_attributes = 128;
  uint64_t max_attribute_bytes = 65536;

  // Spans + log records acknowledged (in the ingest WAL) but not yet
  // indexed into the store. When full, new batches are refused (429 +
  // Retry-After / RESOURCE_EXHAUSTED) rather than buffered: memory stays
  // bounded (a queued item, prepared for the store, takes a few hundred
  // bytes) and the client retries.
  // The indexer works in bursts (it shares two cores with flushes and
  // compactions): at 131072 (under half a second of ingest) clients were
  // told to retry after a second many times a minute although the indexer
  // kept up on average; 524288 absorbs those bursts for ~0.5 GB at most.
  uint64_t queue_size = 524'288;

  // Threads running the HTTP servers (both ports); they also decode and
  // convert export requests. writer_threads is accepted but ignored: one
  // indexer thread writes the store (its writes must stay in WAL order).
  int http_threads = 2;
  int writer_threads = 2;

  // fdatasync the ingest write-ahead log before acknowledging a batch
  // (concurrent batches share one sync). false: a process crash still loses
  // nothing acknowledged, a machine crash may lose the last moments.
  bool sync_writes = true;

  // Retention of the embedded store in hours (0 = keep everything).
  uint64_t retention_hours = 72;

  // "debug", "info", "warn", "error".
  std::string log_level = "info";
};

// Outcome of command-line parsing: either a config to run with, or a
// message to print and an exit code (for --help, --version and errors).
struct ParsedCommandLine {
  DaemonConfig config;
  bool exit_now = false;
  int exit_code = 0;
  std::string message;  // help text or error, printed by main
};

// Applies YAML text onto `cfg` (only keys present are changed).
// Unknown keys and wrong types are errors: a typo must not be ignored.
Status ApplyYaml(const std::string& yaml_text, DaemonConfig& cfg);

// Parses argv (with the environment as the middle layer). Never throws.
ParsedCommandLine ParseCommandLine(int argc, const char* const* argv);

// Splits "host:port" / "[v6]:port"; false on a malformed value.
bool SplitHostPort(const std::string& hostport, std::string& host, uint16_t& port);

}  // namespace callpath::daemon
