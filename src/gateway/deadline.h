// Time limits on socket I/O, swept by one timer per worker.
//
// Arming and cancelling a timer per socket operation costs more than the
// request's own work, so each socket carries a Deadline (a time point in an
// intrusive list) and the worker's DeadlineSweeper wakes once for the
// earliest of them. An expired deadline is marked `fired` and its socket's
// pending operations are cancelled. Code that waited on the socket checks
// `fired` after every operation, so an operation that completed just as the
// deadline passed also counts as late.
//
// Threads: a sweeper and its deadlines belong to one worker's thread.
#pragma once

#include <optional>

#include "gateway/asio_types.h"

namespace callpath::gateway {

struct Deadline {
  // Links itself into `*list` (the sweeper's list) until destroyed.
  Deadline(Deadline** list, Socket* s) noexcept : socket(s), head(list) {
    next = *head;
    if (next != nullptr) next->prev = this;
    *head = this;
  }
  ~Deadline() {
    if (prev != nullptr) prev->next = next; else *head = next;
    if (next != nullptr) next->prev = prev;
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  Socket* socket;
  Clock::time_point when = Clock::time_point::max();  // max: not armed
  bool fired = false;
  Deadline** head;
  Deadline* prev = nullptr;
  Deadline* next = nullptr;
};

class DeadlineSweeper {
 public:
  explicit DeadlineSweeper(net::io_context& ioc) { timer_.emplace(ioc.get_executor()); }

  // Destroys the timer. REQUIRES: before the io_context is destroyed. The
  // list stays valid: destroying the io_context frees suspended coroutines,
  // whose deadlines then unlink themselves.
  void CloseTimer() noexcept { timer_.reset(); }

  // The list a new Deadline links itself into.
  Deadline** list() noexcept { return &deadlines_; }

  void Arm(Deadline& d, Clock::time_point when) {
    d.when = when;
    d.fired = false;
    if (when < due_) {
      due_ = when;
      timer_->cancel();  // wakes Run to wait for the earlier time
    }
  }
  static void Disarm(Deadline& d) noexcept { d.when = Clock::time_point::max(); }

  // Sweeps until the io_context stops; spawned once per worker.
  Task<void> Run();

 private:
  Deadline* deadlines_ = nullptr;
  std::optional<Timer> timer_;
  Clock::time_point due_ = Clock::time_point::max();
};

}  // namespace callpath::gateway
