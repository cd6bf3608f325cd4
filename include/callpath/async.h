// Carrying the current Context across an asynchronous hop: std::async, an
// Asio executor, a thread pool. Each helper captures the Context current on
// the calling thread (or the one given) and runs the task inside it, so spans
// the task starts are children of the caller's span and log lines carry its
// trace id. All build on callpath::Wrap (context.h).
//
//   auto f = callpath::Async(std::launch::async, [] { return LoadPrices(); });
//   callpath::Post(io.get_executor(), [] { Refresh(); });   // Asio: found by ADL
//   callpath::ThreadPool pool(4);
//   std::future<int> n = pool.Submit([] { return CountItems(); });
//
// Errors: an exception thrown by a task reaches whoever waits on its future
// (as with std::async); ThreadPool never lets one escape into a worker.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "callpath/context.h"

namespace callpath {

// std::async(policy, f) with `f` running inside `context` (default: the
// caller's current Context). With std::launch::deferred the task runs in the
// context captured here, not the one current where the future is waited on.
template <typename F>
auto Async(std::launch policy, F&& f, Context context = Context::Current()) {
  return std::async(policy, Wrap(std::forward<F>(f), std::move(context)));
}

// Hands `f` to an Asio-style executor (anything for which `post(executor,
// handler)` finds a function by argument-dependent lookup, e.g.
// boost::asio::post or asio::post) to run inside `context`.
template <typename Executor, typename F>
void Post(Executor&& executor, F&& f, Context context = Context::Current()) {
  post(std::forward<Executor>(executor), Wrap(std::forward<F>(f), std::move(context)));
}

// A fixed-size pool of worker threads whose tasks run inside the Context
// current where they were submitted. Thread-safe. The destructor finishes
// the queued tasks, then joins the workers.
class ThreadPool {
 public:
  explicit ThreadPool(size_t threads) {
    if (threads == 0) threads = 1;
    workers_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Run(); });
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  // Queues `f`; the future gives its result or exception. After the pool
  // started shutting down the future holds std::future_errc::broken_promise.
  template <typename F>
  auto Submit(F&& f, Context context = Context::Current())
      -> std::future<std::invoke_result_t<std::decay_t<F>&>> {
    using R = std::invoke_result_t<std::decay_t<F>&>;
    auto task = std::make_shared<std::packaged_task<R()>>(
        Wrap(std::forward<F>(f), std::move(context)));
    std::future<R> result = task->get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return result;  // the task is dropped: broken promise
      queue_.emplace_back([task] { (*task)(); });
    }
    cv_.notify_one();
    return result;
  }

  size_t size() const noexcept { return workers_.size(); }

 private:
  void Run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();  // packaged_task stores exceptions in the future
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// ADL hook so callpath::Post also accepts a ThreadPool as the executor.
template <typename F>
void post(ThreadPool& pool, F&& f) {
  pool.Submit(std::forward<F>(f), Context());  // `f` is already wrapped by Post
}

}  // namespace callpath
