// callpath: command-line client of callpathd's query API.
//
//   callpath search --service checkout --errors --since 2h
//   callpath trace 4bf92f3577b34da6a3ce929d0e0e4736
//
// See cli/app.h for the exit codes; `callpath --help` for everything else.
#include <curl/curl.h>

#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::ios::sync_with_stdio(false);
  int rc = callpath::cli::RunCli(argc, argv, callpath::cli::Environment::FromProcess(), std::cout, std::cerr);
  std::cout.flush();
  curl_global_cleanup();
  return rc;
}
