// bench_log: caller-thread latency (p50/p99/p99.9 per call, measured with
// the TSC around each call) and end-to-end throughput (lines/s until the
// last line is in the file) of callpath::log and spdlog's async logger, for
// the same record: "service call completed" + trace_id, span_id (from the
// active context), method (string), duration_us (int), ok (bool), written
// as JSON lines to a file.
//
//   bench_log [--reps=5] [--latency_msgs=100000] [--throughput_msgs=1000000] [--dir=/tmp]
//
// Prints each figure per repetition and the median over repetitions. The
// latency run makes one untimed warm-up call per thread first (see
// MeasureLatency).
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "callpath/log.h"

namespace {

struct Config {
  int reps = 5;
  int latency_msgs = 100000;    // per thread
  int throughput_msgs = 1000000;  // in total
  std::string dir = "/tmp";
};

double g_ns_per_tick = 0;

void CalibrateTsc() {
  auto t0 = std::chrono::steady_clock::now();
  uint64_t c0 = __rdtsc();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto t1 = std::chrono::steady_clock::now();
  uint64_t c1 = __rdtsc();
  g_ns_per_tick = std::chrono::duration<double, std::nano>(t1 - t0).count() / double(c1 - c0);
}

// The cost of the timing itself: two back-to-back TSC reads with nothing
// between them. Every latency figure includes it (for both loggers); on
// this VM the TSC also advances in steps of about 10 ns, which quantises
// every figure to that step.
double TimerOverheadP50() {
  std::vector<uint64_t> d(200000);
  for (auto& x : d) {
    uint64_t t0 = __rdtsc();
    uint64_t t1 = __rdtsc();
    x = t1 - t0;
  }
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  return d[d.size() / 2] * g_ns_per_tick;
}

callpath::SpanContext BenchSpan() {
  return callpath::SpanContext(callpath::NewTraceId(), callpath::NewSpanId(),
                               callpath::TraceFlags{callpath::TraceFlags::kSampled}, false);
}

// The two contestants behind one interface.
class Contestant {
 public:
  virtual ~Contestant() = default;
  virtual std::string name() const = 0;
  virtual void Start(const std::string& file) = 0;
  virtual void LogOne(int i) = 0;       // the measured call
  virtual void FinishAll() = 0;         // returns when every line is in the file
};

class CallpathContestant final : public Contestant {
 public:
  explicit CallpathContestant(callpath::log::Overflow overflow) : overflow_(overflow) {}
  std::string name() const override { return "callpath"; }
  void Start(const std::string& file) override {
    callpath::log::Options o;
    o.service_name = "bench";
    o.overflow = overflow_;
    o.crash_handlers = false;
    auto sink = callpath::log::FileSink::Open({.path = file});
    if (!sink.ok()) {
      std::fprintf(stderr, "bench_log: %s\n", sink.status().ToString().c_str());
      std::exit(1);
    }
    o.sinks = {*sink};
    (void)callpath::log::Init(std::move(o));
    logger_ = std::make_unique<callpath::log::Logger>("bench");
  }
  void LogOne(int i) override {
    logger_->info("service call completed", {"method", "UserService.Get"},
                  {"duration_us", 1234 + (i & 7)}, {"ok", true});
  }
  void FinishAll() override { callpath::log::Shutdown(); }
  uint64_t dropped() const { return callpath::log::GetStats().dropped; }

 private:
  callpath::log::Overflow overflow_;
  std::unique_ptr<callpath::log::Logger> logger_;
};

class SpdlogContestant final : public Contestant {
 public:
  std::string name() const override { return "spdlog_async"; }
  void Start(const std::string& file) override {
    pool_ = std::make_shared<spdlog::details::thread_pool>(8192, 1);
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file, true);
    logger_ = std::make_shared<spdlog::async_logger>("bench", sink, pool_,
                                                     spdlog::async_overflow_policy::block);
    // The same JSON line callpath writes.
    logger_->set_pattern(
        R"({"timestamp":"%Y-%m-%dT%H:%M:%S.%FZ","level":"%l",%v,"service_name":"bench","caller":"%s:%#","logger":"%n"})",
        spdlog::pattern_time_type::utc);
  }
  void LogOne(int i) override {
    // spdlog has no context: the caller fetches and formats the ids.
    const callpath::SpanContext& sc = callpath::Context::Current().span_context();
    char trace[32], span[16];
    sc.trace_id().ToHex(trace);
    sc.span_id().ToHex(span);
    logger_->log(spdlog::source_loc{__FILE__, __LINE__, ""}, spdlog::level::info,
                 R"("msg":"service call completed","trace_id":"{}","span_id":"{}","method":"{}","duration_us":{},"ok":{})",
                 std::string_view(trace, 32), std::string_view(span, 16), "UserService.Get",
                 1234 + (i & 7), true);
  }
  void FinishAll() override {
    logger_->flush();
    logger_.reset();
    pool_.reset();  // joins the worker after it drained the queue
  }

 private:
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::async_logger> logger_;
};

struct Latency {
  double p50, p99, p999;
  // The first call of each burst (after the 1 ms pause, when caches and
  // TLBs have usually gone cold) separately: 1 % of the calls, and where
  // the slowest 0.1 % mostly come from.
  double after_pause_p50, after_pause_p90;
};

constexpr int kBurst = 100;

double Quantile(std::vector<uint64_t>& ticks, double q) {
  std::sort(ticks.begin(), ticks.end());
  return ticks[std::min(ticks.size() - 1, size_t(q * ticks.size()))] * g_ns_per_tick;
}

// Each thread logs `msgs` records in bursts of 100 with a 1 ms pause, so
// the queues are exercised but not permanently full (what a service does).
// Before the clock starts, each thread makes one untimed call (warm-up), so
// that the one-off set-up of its queue (callpath: allocating and touching
// the per-thread ring, about 0.5 ms) is not counted as a logging call; the
// same for spdlog. Samples go to storage allocated and touched beforehand.
// A template over the (final) contestant so the timed call is a direct,
// inlined call as in a service, not a virtual call through the harness.
template <typename C>
Latency MeasureLatency(C& c, int threads, int msgs, const std::string& file) {
  c.Start(file);
  std::vector<std::vector<uint64_t>> samples(threads, std::vector<uint64_t>(msgs));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      callpath::Scope scope{callpath::Context(BenchSpan())};
      uint64_t* s = samples[t].data();
      c.LogOne(-1);  // warm-up, untimed
      for (int i = 0; i < msgs; ++i) {
        uint64_t t0 = __rdtsc();
        c.LogOne(i);
        uint64_t t1 = __rdtsc();
        s[i] = t1 - t0;
        if (i % kBurst == kBurst - 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  for (auto& w : workers) w.join();
  c.FinishAll();
  std::vector<uint64_t> all, after_pause;
  for (auto& s : samples) {
    all.insert(all.end(), s.begin(), s.end());
    for (size_t i = kBurst; i < s.size(); i += kBurst) after_pause.push_back(s[i]);
  }
  Latency l{Quantile(all, 0.50), Quantile(all, 0.99), Quantile(all, 0.999), 0, 0};
  if (!after_pause.empty()) {
    l.after_pause_p50 = Quantile(after_pause, 0.50);
    l.after_pause_p90 = Quantile(after_pause, 0.90);
  }
  return l;
}

// All threads log back to back; the clock stops when the last line is in
// the file. Both loggers block when their queue is full (no loss).
double MeasureThroughput(Contestant& c, int threads, int total, const std::string& file) {
  c.Start(file);
  int per_thread = total / threads;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      callpath::Scope scope{callpath::Context(BenchSpan())};
      for (int i = 0; i < per_thread; ++i) c.LogOne(i);
    });
  }
  for (auto& w : workers) w.join();
  c.FinishAll();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return per_thread * threads / secs;
}

size_t CountLines(const std::string& file) {
  FILE* f = std::fopen(file.c_str(), "r");
  if (!f) return 0;
  size_t n = 0;
  char buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) n += std::count(buf, buf + got, '\n');
  std::fclose(f);
  return n;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Config ParseArgs(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&](const char* k) -> const char* {
      size_t n = std::strlen(k);
      return a.compare(0, n, k) == 0 ? a.c_str() + n : nullptr;
    };
    if (auto v = val("--reps=")) c.reps = std::atoi(v);
    else if (auto v = val("--latency_msgs=")) c.latency_msgs = std::atoi(v);
    else if (auto v = val("--throughput_msgs=")) c.throughput_msgs = std::atoi(v);
    else if (auto v = val("--dir=")) c.dir = v;
    else {
      std::fprintf(stderr, "usage: %s [--reps=N] [--latency_msgs=N] [--throughput_msgs=N] [--dir=D]\n", argv[0]);
      std::exit(2);
    }
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(c.dir, ec)) {
    std::fprintf(stderr, "bench_log: --dir=%s is not a directory\n", c.dir.c_str());
    std::exit(2);
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg = ParseArgs(argc, argv);
  CalibrateTsc();
  std::printf("timer overhead (empty timed region) p50: %.1f ns, included in every latency below\n",
              TimerOverheadP50());
  std::string file = cfg.dir + "/bench_log_" + std::to_string(::getpid()) + ".jsonl";
  std::map<std::string, std::vector<double>> results;  // figure -> one value per rep

  for (int rep = 0; rep < cfg.reps; ++rep) {
    for (int threads : {1, 2}) {
      std::string tag = std::to_string(threads) + "t";
      {
        CallpathContestant c(callpath::log::Overflow::kDrop);
        std::filesystem::remove(file);
        uint64_t dropped_before = c.dropped();
        Latency l = MeasureLatency(c, threads, cfg.latency_msgs, file);
        uint64_t dropped = c.dropped() - dropped_before;
        size_t lines = CountLines(file);
        results["latency callpath " + tag + " p50 ns"].push_back(l.p50);
        results["latency callpath " + tag + " p99 ns"].push_back(l.p99);
        results["latency callpath " + tag + " p99.9 ns"].push_back(l.p999);
        results["latency callpath " + tag + " after-pause p50 ns"].push_back(l.after_pause_p50);
        results["latency callpath " + tag + " after-pause p90 ns"].push_back(l.after_pause_p90);
        std::printf("rep %d latency  callpath     %s: p50 %7.1f ns  p99 %8.1f ns  p99.9 %8.1f ns  after-pause p50/p90 %6.0f/%6.0f ns  (lines %zu incl. warm-up, dropped %llu)\n",
                    rep, tag.c_str(), l.p50, l.p99, l.p999, l.after_pause_p50, l.after_pause_p90, lines,
                    (unsigned long long)dropped);
      }
      {
        SpdlogContestant c;
        std::filesystem::remove(file);
        Latency l = MeasureLatency(c, threads, cfg.latency_msgs, file);
        size_t lines = CountLines(file);
        results["latency spdlog_async " + tag + " p50 ns"].push_back(l.p50);
        results["latency spdlog_async " + tag + " p99 ns"].push_back(l.p99);
        results["latency spdlog_async " + tag + " p99.9 ns"].push_back(l.p999);
        results["latency spdlog_async " + tag + " after-pause p50 ns"].push_back(l.after_pause_p50);
        results["latency spdlog_async " + tag + " after-pause p90 ns"].push_back(l.after_pause_p90);
        std::printf("rep %d latency  spdlog_async %s: p50 %7.1f ns  p99 %8.1f ns  p99.9 %8.1f ns  after-pause p50/p90 %6.0f/%6.0f ns  (lines %zu incl. warm-up)\n",
                    rep, tag.c_str(), l.p50, l.p99, l.p999, l.after_pause_p50, l.after_pause_p90, lines);
      }
      {
        CallpathContestant c(callpath::log::Overflow::kBlock);
        std::filesystem::remove(file);
        double lps = MeasureThroughput(c, threads, cfg.throughput_msgs, file);
        results["throughput callpath " + tag + " lines/s"].push_back(lps);
        std::printf("rep %d throughput callpath     %s: %10.0f lines/s (lines %zu)\n", rep, tag.c_str(),
                    lps, CountLines(file));
      }
      {
        SpdlogContestant c;
        std::filesystem::remove(file);
        double lps = MeasureThroughput(c, threads, cfg.throughput_msgs, file);
        results["throughput spdlog_async " + tag + " lines/s"].push_back(lps);
        std::printf("rep %d throughput spdlog_async %s: %10.0f lines/s (lines %zu)\n", rep, tag.c_str(),
                    lps, CountLines(file));
      }
      std::fflush(stdout);
    }
  }
  std::filesystem::remove(file);
  std::printf("\nmedian of %d repetitions:\n", cfg.reps);
  for (const auto& [figure, values] : results) {
    std::printf("  %-40s %12.1f\n", figure.c_str(), Median(values));
  }
  return 0;
}
