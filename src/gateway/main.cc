// callpath-gateway: tracing reverse proxy.
//
//   callpath-gateway --config gateway.yaml
//   callpath-gateway --config gateway.yaml --check     # validate and exit
//   callpath-gateway --config gateway.yaml --trusted-clients 10.0.0.0/8 \
//       --baggage-allow request.priority --admin-keys-file /etc/callpath/keys
//   callpath-gateway --config gateway.yaml --tls-cert gw.pem --tls-key gw.key \
//       [--tls-client-ca clients-ca.pem] [--tls-admin]   # HTTPS for clients (and admin)
//
// Signals: SIGHUP reloads the config file (a bad file is rejected and the
// running config kept); SIGTERM / SIGINT stop gracefully.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "callpath/exporters.h"
#include "callpath/log.h"
#include "callpath/log/otlp_sink.h"
#include "callpath/processor.h"
#include "callpath/trace.h"
#include "callpath/version.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "gateway/runtime.h"

namespace gw = callpath::gateway;

namespace {

// Command-line settings that replace the file's (on every load, reloads
// included, so a SIGHUP does not undo them). Unset options keep the file's.
struct Overrides {
  std::string trusted_clients;  // "10.0.0.0/8,::1"
  std::string baggage_allow;    // "key1,key2"
  std::string admin_keys_file;
  gw::ListenerTlsConfig tls;  // the --tls-* flags replace the file's `tls` when --tls-cert is given
  bool has_trusted = false, has_baggage = false, has_keys = false;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

callpath::Result<gw::Config> LoadWithOverrides(const std::string& path, const Overrides& o) {
  callpath::Result<gw::Config> cfg = gw::LoadConfigFile(path);
  if (!cfg.ok()) return cfg;
  if (o.has_trusted) {
    callpath::Status s = gw::ParseTrustedClients(o.trusted_clients, cfg->edge.trusted_clients);
    if (!s.ok()) return callpath::InvalidArgument("--trusted-clients: " + s.message());
  }
  if (o.has_baggage) cfg->edge.baggage_allow = SplitList(o.baggage_allow);
  if (o.has_keys) cfg->admin_keys_file = o.admin_keys_file;
  if (o.tls.enabled()) cfg->tls = o.tls;
  return cfg;
}

callpath::Status InitLogging(const gw::Config& cfg) {
  callpath::log::Options opts = callpath::log::Options::FromEnvironment();
  if (!cfg.service_name.empty()) opts.service_name = cfg.service_name;
  // Keep the OTLP logs sink the environment asked for, so access-log and
  // retry lines reach the collector beside the spans; the console default is
  // replaced by JSON lines on stdout or the configured file.
  std::vector<std::shared_ptr<callpath::log::Sink>> otlp;
  for (auto& sink : opts.sinks) {
    if (dynamic_cast<callpath::log::OtlpLogSink*>(sink.get()) != nullptr) otlp.push_back(sink);
  }
  opts.sinks = std::move(otlp);
  if (cfg.access_log.path.empty()) {
    opts.sinks.push_back(std::make_shared<callpath::log::ConsoleSink>(
        callpath::log::ConsoleSinkOptions{.use_stdout = true,
                                          .format = callpath::log::ConsoleFormat::kJson}));
  } else {
    auto sink = callpath::log::FileSink::Open({.path = cfg.access_log.path});
    if (!sink.ok()) return sink.status();
    opts.sinks.push_back(*sink);
  }
  return callpath::log::Init(std::move(opts));
}

std::shared_ptr<callpath::TracerProvider> MakeTracerProvider(const gw::Config& cfg) {
  callpath::TracerProviderOptions opts;
  if (!cfg.service_name.empty()) {
    opts.resource.attributes.push_back({"service.name", cfg.service_name});
  }
  using Exporter = gw::TracingConfig::Exporter;
  if (cfg.tracing.exporter != Exporter::kEnvironment) {
    callpath::Resource resource = callpath::Resource::FromEnvironment().Merge(opts.resource);
    if (cfg.tracing.exporter == Exporter::kNone) {
      // Unsampled spans still get ids, so the trace id keeps flowing. None
      // reaches a processor, so no export thread is needed.
      opts.sampler = callpath::AlwaysOffSampler();
      opts.processors.push_back(std::make_unique<callpath::SimpleSpanProcessor>(
          std::make_unique<callpath::DiscardingExporter>(), std::move(resource)));
    } else {
      opts.processors.push_back(std::make_unique<callpath::BatchSpanProcessor>(
          std::make_unique<callpath::DiscardingExporter>(), std::move(resource),
          callpath::BatchSpanProcessorOptions::FromEnvironment()));
    }
  }
  return callpath::TracerProvider::Create(std::move(opts));
}

void WriteReadyFile(const std::string& path, const gw::Gateway& gateway) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"port\":" << gateway.port() << ",\"admin_port\":" << gateway.admin_port() << "}\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}


// SIGHUP: re-reads `config_path` and applies it; a config that does not
// load or build leaves the running one in place.
void ReloadFromFile(gw::Gateway& gw_ref, const std::string& config_path,
                    const Overrides& overrides) {
  const callpath::log::Logger& events = gw_ref.shared().events();
  callpath::Result<gw::Config> next = LoadWithOverrides(config_path, overrides);
  callpath::Result<std::shared_ptr<gw::Runtime>> next_rt =
      next.ok() ? gw::Runtime::Build(*next, gw_ref.shared().runtime().get())
                : callpath::Result<std::shared_ptr<gw::Runtime>>(next.status());
  if (!next_rt.ok()) {
    gw_ref.shared().metrics().CountReload(false);
    events.error("config reload rejected; keeping the running config",
                 {"error", next_rt.status().message()});
    std::fprintf(stderr, "callpath-gateway: reload rejected: %s\n",
                 next_rt.status().message().c_str());
    return;
  }
  gw_ref.Reload(*next_rt);
  gw_ref.shared().metrics().CountReload(true);
  events.info("config reloaded", {"routes", (*next_rt)->config().routes.size()});
  std::fprintf(stderr, "callpath-gateway: config reloaded\n");
}

// Waits for `signals` (blocked in every thread): SIGHUP reloads, SIGTERM
// and SIGINT return.
void ServeUntilStopSignal(gw::Gateway& gw_ref, const sigset_t& signals,
                          const std::string& config_path, const Overrides& overrides) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      ReloadFromFile(gw_ref, config_path, overrides);
      continue;
    }
    gw_ref.shared().events().info("stopping", {"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"});
    return;
  }
}

// Blocks SIGHUP, SIGTERM and SIGINT and returns them. Every thread started
// afterwards inherits the blocked set, so the signals reach only
// ServeUntilStopSignal's sigwait. SIGPIPE is ignored (a client that went
// away is an error on the write, not a reason to exit).
sigset_t BlockControlSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  // Bodies are buffered whole. glibc raises its mmap threshold each time a
  // large block is freed, so after the first burst later bodies came from
  // the heap and their pages stayed with the process (17 -> 222 MiB RSS
  // after 32 concurrent 8 MiB POSTs, kept). A fixed threshold keeps blocks
  // over 1 MiB in their own mappings, returned to the system on free.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  CLI::App app{"callpath-gateway: a tracing HTTP reverse proxy"};
  std::string config_path;
  std::string ready_file;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "YAML config file")->required();
  app.add_flag("--check", check_only, "validate the config and exit");
  app.add_option("--ready-file", ready_file,
                 "write {\"port\":..,\"admin_port\":..} here once listening");
  Overrides overrides;
  CLI::Option* trusted = app.add_option(
      "--trusted-clients", overrides.trusted_clients,
      "comma-separated networks (10.0.0.0/8,::1) whose trace context is continued; "
      "replaces edge.trusted_clients");
  CLI::Option* baggage = app.add_option(
      "--baggage-allow", overrides.baggage_allow,
      "comma-separated baggage keys kept from untrusted clients; replaces edge.baggage_allow");
  CLI::Option* keys = app.add_option(
      "--admin-keys-file", overrides.admin_keys_file,
      "keys file (callpathd key new); the admin port then needs a key with the admin scope");
  CLI::Option* tls_cert = app.add_option(
      "--tls-cert", overrides.tls.cert_file,
      "PEM certificate chain: serve clients over HTTPS (replaces the file's tls section)");
  CLI::Option* tls_key =
      app.add_option("--tls-key", overrides.tls.key_file, "PEM private key of --tls-cert");
  app.add_option("--tls-client-ca", overrides.tls.client_ca_file,
                 "PEM CA bundle: clients must present a certificate it signed (mutual TLS)");
  CLI::Option* tls_admin = app.add_flag(
      "--tls-admin", overrides.tls.admin,
      "serve the admin port over TLS too, with the same certificate and client CA");
  tls_admin->needs(tls_cert);
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);
  CLI11_PARSE(app, argc, argv);
  if (!overrides.tls.client_ca_file.empty() && !overrides.tls.enabled()) {
    std::fprintf(stderr, "callpath-gateway: --tls-client-ca needs --tls-cert and --tls-key\n");
    return 2;
  }
  overrides.has_trusted = trusted->count() > 0;
  overrides.has_baggage = baggage->count() > 0;
  overrides.has_keys = keys->count() > 0;

  callpath::Result<gw::Config> cfg = LoadWithOverrides(config_path, overrides);
  if (!cfg.ok()) {
    std::fprintf(stderr, "callpath-gateway: %s\n", cfg.status().message().c_str());
    return 2;
  }
  callpath::Result<std::shared_ptr<gw::Runtime>> runtime = gw::Runtime::Build(*cfg, nullptr);
  if (!runtime.ok()) {
    std::fprintf(stderr, "callpath-gateway: %s\n", runtime.status().message().c_str());
    return 2;
  }
  if (check_only) {
    std::printf("%s: ok (%zu routes, %zu upstreams)\n", config_path.c_str(), cfg->routes.size(),
                cfg->upstreams.size());
    return 0;
  }

  const sigset_t signals = BlockControlSignals();

  if (callpath::Status s = InitLogging(*cfg); !s.ok()) {
    std::fprintf(stderr, "callpath-gateway: access log: %s\n", s.ToString().c_str());
    return 2;
  }
  std::shared_ptr<callpath::TracerProvider> provider = MakeTracerProvider(*cfg);
  callpath::SetGlobalTracerProvider(provider);

  callpath::Result<std::unique_ptr<gw::Gateway>> gateway =
      gw::Gateway::Start(*runtime, provider->GetTracer("callpath.gateway", callpath::kVersion));
  if (!gateway.ok()) {
    std::fprintf(stderr, "callpath-gateway: %s\n", gateway.status().message().c_str());
    return 1;
  }
  gw::Gateway& gw_ref = **gateway;
  const callpath::log::Logger& events = gw_ref.shared().events();
  events.info("listening", {"listen", cfg->listen.host + ":" + std::to_string(gw_ref.port())},
              {"admin_port", static_cast<int>(gw_ref.admin_port())},
              {"routes", cfg->routes.size()}, {"config", config_path});
  std::fprintf(stderr, "callpath-gateway: listening on %s:%u%s (admin port %u)\n",
               cfg->listen.host.c_str(), gw_ref.port(), cfg->tls.enabled() ? " with TLS" : "",
               gw_ref.admin_port());
  if (!ready_file.empty()) WriteReadyFile(ready_file, gw_ref);

  ServeUntilStopSignal(gw_ref, signals, config_path, overrides);
  gw_ref.Stop(gw::Millis(10000));
  gateway->reset();
  (void)provider->Shutdown(std::chrono::seconds(5));
  callpath::log::Shutdown();
  return 0;
}
