// A deadline for the store reads of one query, set on the thread that runs
// the query. The long loops of a read (a search over time buckets, the
// dependency and log scans) check it and stop with kDeadlineExceeded once
// it has passed, so a query past its time limit frees its worker and its
// tenant's query slot instead of finishing reads nobody will see.
//
// Threads: the deadline belongs to the thread that set it; a read on any
// other thread does not see it.
#pragma once

#include <chrono>
#include <cstdint>

#include "callpath/status.h"

namespace callpath::store {

using ReadClock = std::chrono::steady_clock;

namespace internal {
inline thread_local ReadClock::time_point read_deadline = ReadClock::time_point::max();
inline thread_local uint32_t read_deadline_calls = 0;
inline thread_local bool read_deadline_passed = false;  // seen passed: every later check fails
}  // namespace internal

// Sets the calling thread's read deadline for its lifetime (nested guards
// restore the outer one).
class ScopedReadDeadline {
 public:
  explicit ScopedReadDeadline(ReadClock::time_point deadline)
      : previous_(internal::read_deadline), previous_passed_(internal::read_deadline_passed) {
    internal::read_deadline = deadline;
    internal::read_deadline_calls = 0;
    internal::read_deadline_passed = false;
  }
  ~ScopedReadDeadline() {
    internal::read_deadline = previous_;
    internal::read_deadline_passed = previous_passed_;
  }
  ScopedReadDeadline(const ScopedReadDeadline&) = delete;
  ScopedReadDeadline& operator=(const ScopedReadDeadline&) = delete;

 private:
  ReadClock::time_point previous_;
  bool previous_passed_;
};

// OK unless the calling thread's read deadline has passed. Reads the clock
// on every 64th call only (loops call it per key); once it has seen the
// deadline passed, every later call fails.
inline Status CheckReadDeadline() {
  if (internal::read_deadline == ReadClock::time_point::max()) return Status::Ok();
  if (!internal::read_deadline_passed) {
    if ((internal::read_deadline_calls++ & 63) != 0) return Status::Ok();
    if (ReadClock::now() < internal::read_deadline) return Status::Ok();
    internal::read_deadline_passed = true;
  }
  return Status(StatusCode::kDeadlineExceeded, "the query's time limit passed during a store read");
}

}  // namespace callpath::store
