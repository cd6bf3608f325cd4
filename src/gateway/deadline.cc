#include "gateway/deadline.h"

#include <algorithm>

namespace callpath::gateway {
namespace {

// Deadlines are swept no more often than this; it is also how late a
// timeout may fire.
constexpr auto kSweepGap = std::chrono::milliseconds(5);

}  // namespace

Task<void> DeadlineSweeper::Run() {
  for (;;) {
    beast::error_code ec;
    timer_->expires_at(due_);
    co_await timer_->async_wait(Token(ec));
    const Clock::time_point now = Clock::now();
    if (due_ > now) continue;  // woken early: an earlier deadline was armed
    Clock::time_point earliest = Clock::time_point::max();
    for (Deadline* d = deadlines_; d != nullptr; d = d->next) {
      if (d->when <= now) {
        d->fired = true;
        d->when = Clock::time_point::max();
        d->socket->cancel(ec);
      } else if (d->when < earliest) {
        earliest = d->when;
      }
    }
    due_ = earliest == Clock::time_point::max() ? earliest : std::max(earliest, now + kSweepGap);
  }
}

}  // namespace callpath::gateway
