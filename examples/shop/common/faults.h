// Fault injection for the shop services: per operation, a list of faults
// that fire on some or all requests.
//
// A fault is written as KIND[:ARG][@PROBABILITY]:
//
//   latency:300ms          add 300 ms before answering
//   latency:100ms-500ms    add a uniformly drawn delay in [100 ms, 500 ms]
//   error                  fail every request (HTTP 500 / gRPC UNAVAILABLE)
//   error:0.5              fail half of the requests (same as error@0.5)
//   timeout                stall 10 s, longer than any caller's deadline
//   timeout:4s             stall 4 s
//   crash                  abort the process mid-request (after logging)
//   crash:0.1              ... on one request in ten
//
// and bound to an operation as OP=FAULT[,FAULT...] ("Charge=latency:300ms",
// "Reserve=error:0.5,latency:50ms"), which is what --fault takes and what
// GET /admin/faults reports. Durations take us, ms, s or m (a bare number
// is milliseconds).
//
// Threads: a FaultTable may be read and changed from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "callpath/status.h"

namespace shop {

using Millis = std::chrono::milliseconds;

enum class FaultKind { kLatency, kError, kTimeout, kCrash };

std::string_view FaultKindName(FaultKind kind) noexcept;

struct Fault {
  FaultKind kind = FaultKind::kLatency;
  double probability = 1.0;  // in (0, 1]
  Millis min_delay{0};       // latency: the delay is drawn from [min, max]
  Millis max_delay{0};
  Millis hang{10000};        // timeout: how long the request stalls

  // The canonical spelling, e.g. "latency:100ms-500ms@0.5".
  std::string ToString() const;
};

// Parses one fault ("latency:300ms", "error:0.5").
callpath::Result<Fault> ParseFault(std::string_view text);

struct OperationFaults {
  std::string operation;
  std::vector<Fault> faults;
};

// Parses "OP=FAULT[,FAULT...]".
callpath::Result<OperationFaults> ParseFaultSpec(std::string_view text);

// "300ms", "1.5s", "2m", "500us" (rounded up to whole ms), "250".
callpath::Result<Millis> ParseDuration(std::string_view text);

// What the faults of one operation decided for one request. The service
// applies it in this order: delay, hang, crash, fail.
struct FaultPlan {
  Millis delay{0};
  Millis hang{0};
  bool crash = false;
  bool fail = false;
  std::vector<std::string> fired;  // ToString() of each fault that fired

  bool empty() const noexcept { return fired.empty(); }
};

class FaultTable {
 public:
  // `uniform` returns numbers in [0, 1); empty: a per-thread generator
  // seeded from the OS. Tests pass a scripted source.
  explicit FaultTable(std::function<double()> uniform = {});

  // Replaces the faults of `operation` (an empty list removes it).
  void Set(OperationFaults faults);
  // Removes the faults of one operation; false if it had none.
  bool Clear(std::string_view operation);
  void ClearAll();

  // Draws which faults fire for one request of `operation`, and counts them.
  FaultPlan Plan(std::string_view operation);

  // {"service":..., "faults":[{"operation":"Charge","fault":"latency:300ms",
  //   "kind":"latency","probability":1,"fired":12}, ...]}
  std::string ToJson(std::string_view service) const;

 private:
  struct Entry {
    std::vector<Fault> faults;
    std::vector<uint64_t> fired;  // per fault
  };
  double Uniform();

  std::function<double()> uniform_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace shop
