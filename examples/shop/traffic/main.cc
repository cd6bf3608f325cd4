// shop-traffic: steady, bounded load on the shop through the gateway, like
// a trickle of customers: POST /api/orders at a fixed rate with random
// users and baskets, each with its own Idempotency-Key.
//
//   shop-traffic --target http://127.0.0.1:17680 --rate 3 [--duration 60s]
//
// Prints one summary line every --report interval (and at the end):
//   traffic: sent=120 2xx=113 4xx=5 5xx=2 no_answer=0 in_flight=0
// Stops on SIGINT/SIGTERM, or after --duration. At most --concurrency
// requests are in flight; when they are all stuck (a hung dependency) new
// ones wait, so the load stays bounded. The generator itself is not
// traced: the trace starts at the gateway, as for a browser.
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/faults.h"
#include "common/ids.h"
#include "common/service.h"

namespace {

struct Counters {
  std::atomic<uint64_t> sent{0}, ok{0}, client_error{0}, server_error{0}, no_answer{0};
  std::atomic<int> in_flight{0};
};

std::string Basket(std::mt19937_64& rng, int users) {
  std::uniform_int_distribution<int> user(1, users), n(1, 3), sku(1001, 1020), qty(1, 3);
  std::string body = "{\"user_id\":" + std::to_string(user(rng)) + ",\"items\":[";
  int count = n(rng);
  for (int i = 0; i < count; ++i) {
    if (i) body += ",";
    body += "{\"sku\":\"SKU-" + std::to_string(sku(rng)) + "\",\"quantity\":" +
            std::to_string(qty(rng)) + "}";
  }
  return body + "]}";
}

void Report(const Counters& c) {
  std::printf("traffic: sent=%llu 2xx=%llu 4xx=%llu 5xx=%llu no_answer=%llu in_flight=%d\n",
              static_cast<unsigned long long>(c.sent.load()),
              static_cast<unsigned long long>(c.ok.load()),
              static_cast<unsigned long long>(c.client_error.load()),
              static_cast<unsigned long long>(c.server_error.load()),
              static_cast<unsigned long long>(c.no_answer.load()), c.in_flight.load());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string target = "http://127.0.0.1:17680", rate_text = "3", duration_text = "0",
              report_text = "10s", timeout_text = "10s";
  int concurrency = 8, users = 200;
  shop::Flags flags("shop-traffic");
  flags.Add("target", &target, "gateway base URL");
  flags.Add("rate", &rate_text, "orders per second");
  flags.Add("duration", &duration_text, "stop after this long (0: until signalled)");
  flags.Add("report", &report_text, "summary line interval");
  flags.Add("timeout", &timeout_text, "give up on one request after this long");
  flags.Add("concurrency", &concurrency, "most requests in flight at once");
  flags.Add("users", &users, "user ids are drawn from 1..N");
  if (!flags.Parse(argc, argv)) return 2;
  char* end = nullptr;
  double rate = std::strtod(rate_text.c_str(), &end);
  auto duration = shop::ParseDuration(duration_text), report = shop::ParseDuration(report_text),
       timeout = shop::ParseDuration(timeout_text);
  if (*end != '\0' || !(rate > 0 && rate <= 1000) || !duration.ok() || !report.ok() ||
      !timeout.ok() || concurrency < 1 || users < 1 || report->count() == 0) {
    std::fprintf(stderr, "shop-traffic: bad --rate, --duration, --report, --timeout, "
                         "--concurrency or --users\n%s", flags.Usage().c_str());
    return 2;
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable cv;
  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    stop = true;
    cv.notify_all();
  });
  signal_waiter.detach();

  Counters counters;
  auto interval = std::chrono::duration<double>(1.0 / rate);
  auto t0 = std::chrono::steady_clock::now();
  auto next_report = t0 + *report;
  auto next_send = t0;
  std::vector<std::thread> workers;
  std::mt19937_64 rng{std::random_device{}()};
  uint64_t n = 0;
  while (!stop) {
    auto now = std::chrono::steady_clock::now();
    if (duration->count() > 0 && now - t0 >= *duration) break;
    if (now >= next_report) {
      Report(counters);
      next_report += *report;
    }
    if (now < next_send) {
      std::unique_lock lock(mu);
      cv.wait_until(lock, std::min(next_send, next_report), [&] { return stop.load(); });
      continue;
    }
    next_send += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
    if (counters.in_flight.load() >= concurrency) continue;  // skip: the shop is stuck
    ++n;
    counters.in_flight++;
    counters.sent++;
    std::string body = Basket(rng, users);
    std::thread([&counters, &mu, &cv, target, body, t = *timeout] {
      httplib::Client client(target);
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(t);
      client.set_connection_timeout(secs.count());
      client.set_read_timeout(secs.count());
      httplib::Headers headers = {{"Idempotency-Key", shop::NewId("key")}};
      auto r = client.Post("/api/orders", headers, body, "application/json");
      if (!r) {
        counters.no_answer++;
      } else if (r->status < 400) {
        counters.ok++;
      } else if (r->status < 500) {
        counters.client_error++;
      } else {
        counters.server_error++;
      }
      {
        std::lock_guard lock(mu);
        counters.in_flight--;
      }
      cv.notify_all();
    }).detach();
  }
  // Wait (bounded by the request timeout) for the requests in flight.
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, *timeout + std::chrono::seconds(1),
                [&] { return counters.in_flight.load() == 0; });
  }
  Report(counters);
  std::_Exit(0);  // detached request threads may still hold sockets
}
