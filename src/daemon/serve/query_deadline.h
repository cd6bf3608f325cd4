// Answers queries that run past their time limit: a watcher thread holds
// the deadline of every query in progress, and when one passes before the
// query's worker has answered, it answers 504 (with the reason) in its
// place. Whichever comes first answers; the other is dropped. The worker's
// store reads stop at the same deadline (store/read_deadline.h: the
// embedded store's scans check it), which frees the worker and the
// tenant's query slot; a read that is one long call (a ClickHouse query)
// finishes first, and its query keeps counting against the tenant's
// concurrency limit until then.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "daemon/receive/http_types.h"

namespace callpath::daemon {

// One request's answer, given at most once by the worker or the watcher.
class OnceResponder {
 public:
  explicit OnceResponder(Responder respond) : respond_(std::move(respond)) {}
  // True if this call answered (nobody had before).
  bool Respond(HttpResponse r) {
    Responder take;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!respond_) return false;
      take = std::move(respond_);
      respond_ = nullptr;
    }
    take(std::move(r));
    return true;
  }

 private:
  std::mutex mu_;
  Responder respond_;
};

class QueryDeadlines {
 public:
  using Clock = std::chrono::steady_clock;

  QueryDeadlines() : thread_([this] { Loop(); }) {}
  // Answers nothing more; pending deadlines are dropped.
  ~QueryDeadlines() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  QueryDeadlines(const QueryDeadlines&) = delete;
  QueryDeadlines& operator=(const QueryDeadlines&) = delete;

  // At `deadline`, unless `responder` has answered by then, answers it
  // with `timeout()` and runs nothing else. Holds `responder` weakly.
  void Watch(Clock::time_point deadline, std::weak_ptr<OnceResponder> responder,
             std::function<HttpResponse()> timeout) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.emplace(deadline, Entry{std::move(responder), std::move(timeout)});
    }
    cv_.notify_all();
  }

 private:
  struct Entry {
    std::weak_ptr<OnceResponder> responder;
    std::function<HttpResponse()> timeout;
  };

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (pending_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = pending_.begin();
      if (Clock::now() < first->first) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      Entry e = std::move(first->second);
      pending_.erase(first);
      lock.unlock();
      if (std::shared_ptr<OnceResponder> r = e.responder.lock()) r->Respond(e.timeout());
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, Entry> pending_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace callpath::daemon
