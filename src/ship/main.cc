// callpath-ship: follows log files and sends their records to callpathd (or
// any OTLP/HTTP logs endpoint). See ship/ship_options.h for the options and
// ship/shipper.h for what it guarantees.
#include <csignal>
#include <cstdio>

#include "ship/shipper.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

}  // namespace

int main(int argc, char** argv) {
  callpath::ship::ShipOptions options;
  bool help = false;
  std::string usage;
  callpath::Status s = callpath::ship::ParseShipArgs(argc, argv, &options, &help, &usage);
  if (help) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  if (!s.ok()) {
    std::fprintf(stderr, "callpath-ship: %s\n%s", s.message().c_str(), usage.c_str());
    return 2;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  callpath::ship::Shipper shipper(options);
  s = shipper.Run(g_stop);
  callpath::ship::ShipStats st = shipper.stats();
  std::fprintf(stderr, "callpath-ship: %llu records sent, %llu refused, %llu requests, %llu retries\n",
               static_cast<unsigned long long>(st.records_sent), static_cast<unsigned long long>(st.records_refused),
               static_cast<unsigned long long>(st.requests), static_cast<unsigned long long>(st.retries));
  if (!s.ok()) {
    std::fprintf(stderr, "callpath-ship: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
