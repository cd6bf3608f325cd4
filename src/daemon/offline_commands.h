// `callpathd check` and `callpathd repair`: work on a stopped daemon's data
// directory.
//
//   callpathd check --data-dir DIR    verify the store and the ingest WAL
//                                     without changing them; exit 0 when
//                                     sound, 1 on damage, 2 on bad usage
//   callpathd repair --data-dir DIR   rebuild a damaged store from its
//                                     intact table files (RocksDB repair)
#pragma once

namespace callpath::daemon {

// True when argv[1] names one of the commands; then `*exit_code` is what
// main returns. Output goes to stdout, errors to stderr.
bool RunOfflineCommand(int argc, const char* const* argv, int* exit_code);

}  // namespace callpath::daemon
