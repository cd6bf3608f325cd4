// What every shop service shares: command-line flags, tracing and logging
// set-up, the admin server with its fault table, applying faults inside a
// request, and the stop signal.
//
//   shop::ServiceOptions opts{.service_name = "payment-service"};
//   shop::Flags flags("shop-payment");
//   opts.AddFlags(flags);                                // --host, --admin-port, --fault, ...
//   flags.Add("port", &port, "HTTP port");
//   if (!flags.Parse(argc, argv)) return 2;
//   auto service = shop::Service::Start(opts);           // first, before any thread
//   ...
//   service->ReportReady(port);
//   service->WaitForStopSignal();
//
// Telemetry: spans go where the OTEL_* variables say (TracerProvider::
// Create()); log records are JSON lines on stdout and, when an OTLP
// endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, unless OTEL_LOGS_EXPORTER=none), OTLP
// log records sent to it. OTEL_SERVICE_NAME defaults to the service's name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/log.h"
#include "callpath/status.h"
#include "callpath/trace.h"
#include "common/faults.h"

namespace shop {

// "--name value" flags, each given once, or repeatedly for list flags.
class Flags {
 public:
  explicit Flags(std::string program) : program_(std::move(program)) {}

  void Add(std::string name, std::string* value, std::string help);
  void Add(std::string name, int* value, std::string help);
  void AddList(std::string name, std::vector<std::string>* values, std::string help);

  // False after printing what is wrong and the usage on stderr. --help
  // prints the usage on stdout and exits.
  bool Parse(int argc, char** argv);
  std::string Usage() const;

 private:
  struct Flag {
    std::string name, help;
    std::string* str = nullptr;
    int* num = nullptr;
    std::vector<std::string>* list = nullptr;
  };
  std::string program_;
  std::vector<Flag> flags_;
};

struct ServiceOptions {
  std::string service_name;  // OTEL_SERVICE_NAME unless that is set
  std::string host = "127.0.0.1";
  int admin_port = 0;        // plain HTTP: /admin/faults, /healthz; 0 picks one
  std::vector<std::string> faults;  // "OP=FAULT,..." applied at start
  std::string ready_file;    // JSON with the bound ports, written by ReportReady
  // "on": an injected fault is recorded for people (attribute shop.fault,
  // event and log line "fault injected"); "off" leaves only its effects,
  // so tests can check that cause-finding does not need the markers.
  std::string fault_markers = "on";

  void AddFlags(Flags& flags);
};

class Service {
 public:
  // Blocks SIGINT/SIGTERM for every thread (so call it before starting
  // any), installs the tracer provider and the logger, loads the faults and
  // starts the admin server. Fails on a bad fault spec or a busy port.
  static callpath::Result<std::unique_ptr<Service>> Start(ServiceOptions options);
  ~Service();  // stops the admin server, flushes and shuts down telemetry

  const std::string& name() const noexcept { return name_; }
  const std::string& host() const noexcept { return options_.host; }
  FaultTable& faults() noexcept { return faults_; }
  const callpath::log::Logger& log() const noexcept { return log_; }
  int admin_port() const noexcept { return admin_port_; }

  // Draws the faults of `operation` and applies them to the current
  // request: records them on `span` (attribute shop.fault, event "fault
  // injected") and in the log unless fault_markers is "off", sleeps for
  // latency and timeout faults, and
  // crashes for a crash fault. Returns true when the request must fail; the
  // caller then answers with its error (and logs why).
  bool InjectFaults(std::string_view operation, callpath::Span& span);

  // Logs `reason` at error level, flushes logs and spans so the crash is
  // visible in the trace, and aborts (SIGABRT, without a core dump).
  [[noreturn]] void Crash(std::string_view operation, std::string_view reason);

  // Announces that the service accepts requests on `port`: a line on
  // stdout ("<name> ready port=P admin_port=A pid=N") and the ready file.
  void ReportReady(int port);

  // Blocks until SIGINT or SIGTERM arrives.
  void WaitForStopSignal();

 private:
  struct Admin;
  explicit Service(ServiceOptions options);

  ServiceOptions options_;
  std::string name_;
  std::shared_ptr<callpath::TracerProvider> provider_;
  callpath::log::Logger log_;
  FaultTable faults_;
  std::unique_ptr<Admin> admin_;
  int admin_port_ = 0;
};

// Sleeps for `d`, in slices, so that a long stall does not hold a thread
// past process exit. Returns early only when the process is stopping.
void SleepFor(Millis d);

}  // namespace shop
