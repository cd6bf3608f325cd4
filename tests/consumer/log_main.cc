// Built against the installed callpath::log: writes one JSON line inside a
// span and prints it.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "callpath/log.h"
#include "callpath/trace.h"

int main() {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("callpath_consumer_log_" + std::to_string(::getpid()) + ".jsonl"))
          .string();
  callpath::log::Options options;
  options.service_name = "consumer";
  options.crash_handlers = false;
  auto sink = callpath::log::FileSink::Open({.path = path});
  if (!sink.ok()) return 2;
  options.sinks = {*sink};
  if (!callpath::log::Init(std::move(options)).ok()) return 3;
  callpath::log::Logger("consumer").info("installed logger works", {"answer", 42});
  callpath::log::Shutdown();
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::filesystem::remove(path);
  std::cout << line << "\n";
  return line.find("\"answer\":42") != std::string::npos ? 0 : 1;
}
