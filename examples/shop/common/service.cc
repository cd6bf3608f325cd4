#include "common/service.h"

#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "callpath/log/otlp_sink.h"
#include "common/json.h"

namespace shop {

namespace {

std::atomic<bool> g_stopping{false};

sigset_t StopSignals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  return s;
}

bool EnvSet(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

bool EnvEquals(const char* name, std::string_view value) {
  const char* v = std::getenv(name);
  return v != nullptr && value == v;
}

// JSON lines on stdout, plus OTLP logs when an endpoint is configured.
callpath::Status InitLogging(const std::string& service_name) {
  callpath::log::Options opts = callpath::log::Options::FromEnvironment();
  if (!EnvSet("OTEL_SERVICE_NAME")) opts.service_name = service_name;
  opts.sinks.clear();
  opts.sinks.push_back(std::make_shared<callpath::log::ConsoleSink>(callpath::log::ConsoleSinkOptions{
      .use_stdout = true, .format = callpath::log::ConsoleFormat::kJson,
      .color = callpath::log::ColorMode::kNever}));
  bool otlp = (EnvSet("OTEL_EXPORTER_OTLP_ENDPOINT") || EnvSet("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")) &&
              !EnvEquals("OTEL_LOGS_EXPORTER", "none");
  if (otlp) {
    opts.sinks.push_back(std::make_shared<callpath::log::OtlpLogSink>(
        callpath::log::OtlpLogSinkOptions::FromEnvironment()));
  }
  return callpath::log::Init(std::move(opts));
}

// Accepts {"operation":"Charge","fault":"latency:300ms"} or
// {"operation":"Charge","faults":["error:0.5","latency:50ms"]}.
callpath::Result<OperationFaults> ParseAdminEntry(const simdjson::dom::element& e) {
  auto op = GetString(e, "operation");
  if (!op || op->empty()) return callpath::InvalidArgument("\"operation\" (a string) is required");
  OperationFaults out;
  out.operation = std::string(*op);
  std::vector<std::string_view> texts;
  if (auto one = GetString(e, "fault")) texts.push_back(*one);
  simdjson::dom::array arr;
  if (e["faults"].get_array().get(arr) == simdjson::SUCCESS) {
    for (auto item : arr) {
      std::string_view s;
      if (item.get_string().get(s) != simdjson::SUCCESS) {
        return callpath::InvalidArgument("\"faults\" must be a list of strings");
      }
      texts.push_back(s);
    }
  }
  if (texts.empty()) return callpath::InvalidArgument("\"fault\" or \"faults\" is required");
  for (std::string_view t : texts) {
    auto f = ParseFault(t);
    if (!f.ok()) return f.status();
    out.faults.push_back(*f);
  }
  return out;
}

bool WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << text << "\n";
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

void SleepFor(Millis d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (!g_stopping.load(std::memory_order_relaxed)) {
    auto now = std::chrono::steady_clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now,
                                                                              Millis(50)));
  }
}

// ---------------------------------------------------------------------------
// Flags

void Flags::Add(std::string name, std::string* value, std::string help) {
  flags_.push_back({.name = std::move(name), .help = std::move(help), .str = value});
}
void Flags::Add(std::string name, int* value, std::string help) {
  flags_.push_back({.name = std::move(name), .help = std::move(help), .num = value});
}
void Flags::AddList(std::string name, std::vector<std::string>* values, std::string help) {
  flags_.push_back({.name = std::move(name), .help = std::move(help), .list = values});
}

std::string Flags::Usage() const {
  std::string u = "usage: " + program_ + " [flags]\n";
  for (const Flag& f : flags_) {
    std::string left = "  --" + f.name + (f.num ? " N" : " VALUE");
    if (left.size() < 26) left.resize(26, ' ');
    u += left + " " + f.help;
    if (f.str && !f.str->empty()) u += " (default " + *f.str + ")";
    if (f.num) u += " (default " + std::to_string(*f.num) + ")";
    if (f.list) u += " (repeatable)";
    u += "\n";
  }
  return u;
}

bool Flags::Parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << Usage();
      std::exit(0);
    }
    if (!arg.starts_with("--")) {
      std::cerr << program_ << ": unexpected argument '" << arg << "'\n" << Usage();
      return false;
    }
    std::string_view name = arg.substr(2), value;
    bool inline_value = false;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : flags_) {
      if (f.name == name) flag = &f;
    }
    if (flag == nullptr) {
      std::cerr << program_ << ": unknown flag --" << name << "\n" << Usage();
      return false;
    }
    if (!inline_value) {
      if (i + 1 >= argc) {
        std::cerr << program_ << ": --" << name << " needs a value\n";
        return false;
      }
      value = argv[++i];
    }
    if (flag->str) *flag->str = std::string(value);
    if (flag->list) flag->list->emplace_back(value);
    if (flag->num) {
      char* end = nullptr;
      std::string v(value);
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0 || n > 65535) {
        std::cerr << program_ << ": --" << name << " wants a number 0..65535, not '" << v << "'\n";
        return false;
      }
      *flag->num = static_cast<int>(n);
    }
  }
  return true;
}

void ServiceOptions::AddFlags(Flags& flags) {
  flags.Add("host", &host, "listen address");
  flags.Add("admin-port", &admin_port, "admin HTTP port (/admin/faults, /healthz); 0 picks one");
  flags.AddList("fault", &faults, "fault to inject from the start, e.g. Charge=latency:300ms");
  flags.Add("ready-file", &ready_file, "write the bound ports here as JSON once serving");
  flags.Add("fault-markers", &fault_markers,
            "on: record injected faults on the span and in the log; off: only their effects show");
}

// ---------------------------------------------------------------------------
// Admin server: a plain (untraced) HTTP server, so that fault changes and
// health checks do not show up as traces of the shop.

struct Service::Admin {
  httplib::Server server;
  std::thread thread;
};

Service::Service(ServiceOptions options)
    : options_(std::move(options)), name_(options_.service_name), log_(name_) {}

callpath::Result<std::unique_ptr<Service>> Service::Start(ServiceOptions options) {
  sigset_t stop = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  setenv("OTEL_SERVICE_NAME", options.service_name.c_str(), /*overwrite=*/0);
  std::vector<OperationFaults> initial;
  for (const std::string& spec : options.faults) {
    auto f = ParseFaultSpec(spec);
    if (!f.ok()) return callpath::InvalidArgument("--fault " + spec + ": " + f.status().message());
    initial.push_back(std::move(*f));
  }

  std::unique_ptr<Service> s(new Service(std::move(options)));
  s->provider_ = callpath::TracerProvider::Create();
  callpath::SetGlobalTracerProvider(s->provider_);
  if (auto st = InitLogging(s->name_); !st.ok()) return st;
  for (auto& f : initial) {
    s->log_.warn("fault configured at start", {"operation", f.operation},
                 {"fault", f.faults.front().ToString()}, {"count", f.faults.size()});
    s->faults_.Set(std::move(f));
  }

  s->admin_ = std::make_unique<Admin>();
  Service* self = s.get();
  httplib::Server& admin = s->admin_->server;
  admin.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  admin.Get("/admin/faults", [self](const httplib::Request&, httplib::Response& res) {
    res.set_content(self->faults_.ToJson(self->name_), "application/json");
  });
  admin.Post("/admin/faults", [self](const httplib::Request& req, httplib::Response& res) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(req.body).get(doc) != simdjson::SUCCESS) {
      res.status = 400;
      res.set_content(ErrorJson("body must be JSON"), "application/json");
      return;
    }
    // One entry or a list of entries; all are checked before any is applied.
    std::vector<OperationFaults> parsed;
    simdjson::dom::array list;
    std::vector<simdjson::dom::element> entries;
    if (doc.get_array().get(list) == simdjson::SUCCESS) {
      for (auto e : list) entries.push_back(e);
    } else {
      entries.push_back(doc);
    }
    for (const auto& e : entries) {
      auto f = ParseAdminEntry(e);
      if (!f.ok()) {
        res.status = 400;
        res.set_content(ErrorJson(f.status().message()), "application/json");
        return;
      }
      parsed.push_back(std::move(*f));
    }
    for (auto& f : parsed) {
      std::string text;
      for (const Fault& one : f.faults) text += (text.empty() ? "" : ",") + one.ToString();
      self->log_.warn("fault injection changed", {"operation", f.operation}, {"fault", text});
      self->faults_.Set(std::move(f));
    }
    res.set_content(self->faults_.ToJson(self->name_), "application/json");
  });
  admin.Delete("/admin/faults", [self](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("operation")) {
      std::string op = req.get_param_value("operation");
      if (!self->faults_.Clear(op)) {
        res.status = 404;
        res.set_content(ErrorJson("no faults set for operation " + op), "application/json");
        return;
      }
      self->log_.info("fault injection cleared", {"operation", op});
    } else {
      self->faults_.ClearAll();
      self->log_.info("fault injection cleared for all operations");
    }
    res.set_content(self->faults_.ToJson(self->name_), "application/json");
  });

  const std::string& host = s->options_.host;
  int port = s->options_.admin_port;
  s->admin_port_ = port == 0 ? admin.bind_to_any_port(host) : (admin.bind_to_port(host, port) ? port : -1);
  if (s->admin_port_ <= 0) {
    return callpath::Unavailable("cannot listen on " + host + ":" + std::to_string(port) +
                                 " (admin port)");
  }
  s->admin_->thread = std::thread([self] { self->admin_->server.listen_after_bind(); });
  return s;
}

Service::~Service() {
  g_stopping.store(true);
  if (admin_) {
    admin_->server.stop();
    if (admin_->thread.joinable()) admin_->thread.join();
  }
  log_.info("service stopped");
  callpath::log::Flush();
  if (provider_) (void)provider_->Shutdown(std::chrono::seconds(5));
  callpath::log::Shutdown();
}

bool Service::InjectFaults(std::string_view operation, callpath::Span& span) {
  FaultPlan plan = faults_.Plan(operation);
  if (plan.empty()) return false;
  std::string fired;
  for (const auto& f : plan.fired) fired += (fired.empty() ? "" : ",") + f;
  if (options_.fault_markers != "off") {
    span.SetAttribute("shop.fault", std::string_view(fired));
    span.AddEvent("fault injected", {{"fault", fired}});
    log_.warn("fault injected", {"operation", operation}, {"fault", fired});
  }
  if (plan.delay.count() > 0) SleepFor(plan.delay);
  if (plan.hang.count() > 0) SleepFor(plan.hang);
  if (plan.crash) Crash(operation, options_.fault_markers != "off" ? "injected crash" : "crash");
  return plan.fail;
}

void Service::Crash(std::string_view operation, std::string_view reason) {
  log_.error("fatal: aborting mid-request", {"operation", operation}, {"reason", reason});
  // A real crash loses what is still queued; the drill wants the last words
  // and the spans finished so far to arrive, so flush both first.
  callpath::log::Flush();
  if (provider_) (void)provider_->ForceFlush(std::chrono::seconds(3));
  // An injected crash has nothing to debug: skip the core dump, which can
  // take seconds and holds the request's connection open meanwhile.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  std::abort();
}

void Service::ReportReady(int port) {
  std::string json = JsonObject()
                         .Str("service", name_)
                         .Int("port", port)
                         .Int("admin_port", admin_port_)
                         .Int("pid", ::getpid())
                         .Take();
  std::printf("%s ready port=%d admin_port=%d pid=%d\n", name_.c_str(), port, admin_port_,
              static_cast<int>(::getpid()));
  std::fflush(stdout);
  if (!options_.ready_file.empty() && !WriteFileAtomically(options_.ready_file, json)) {
    log_.error("cannot write the ready file", {"path", options_.ready_file});
  }
  log_.info("service ready", {"port", port}, {"admin_port", admin_port_});
}

void Service::WaitForStopSignal() {
  sigset_t stop = StopSignals();
  int sig = 0;
  sigwait(&stop, &sig);
  g_stopping.store(true);
  log_.info("stop signal received, shutting down", {"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"});
}

}  // namespace shop
