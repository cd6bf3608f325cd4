// Gateway's lifecycle: the workers and the admin server started together,
// reloads handed to them, and the drain on Stop. The data path is in
// worker.cc, client_session.cc and proxy_request.cc.
#include "gateway/gateway.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "gateway/control.h"
#include "gateway/worker.h"

namespace callpath::gateway {

uint64_t InflightBudgetBytes(const Config& config) {
  if (config.max_inflight_bytes != 0) return config.max_inflight_bytes;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  const uint64_t physical = pages > 0 && page_size > 0
                                ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)
                                : uint64_t{8} << 30;
  return std::max<uint64_t>(physical / 8, config.max_body_bytes);
}

void SharedState::Swap(std::shared_ptr<Runtime> next) {
  std::shared_ptr<Runtime> old;
  {
    std::lock_guard lock(mu_);
    old = std::move(runtime_);
    runtime_ = std::move(next);
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
  if (old) old->Retire();
}

struct Gateway::Impl {
  Impl(std::shared_ptr<Runtime> runtime, Tracer tracer)
      : shared(std::move(runtime), tracer) {}

  SharedState shared;
  std::atomic<int> active_clients{0};
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<ControlPlane> control;
  uint16_t port = 0;
  std::mutex stop_mu;
  bool stopped = false;
};

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() { Stop(Millis(2000)); }

Result<std::unique_ptr<Gateway>> Gateway::Start(std::shared_ptr<Runtime> runtime, Tracer tracer) {
  const Config& cfg = runtime->config();
  auto impl = std::make_unique<Impl>(runtime, tracer);
  int threads = cfg.threads > 0 ? cfg.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  uint16_t port = cfg.listen.port;
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>(&impl->shared, &impl->active_clients);
    Result<uint16_t> bound = w->Listen(cfg.listen, port);
    if (!bound.ok()) return bound.status();
    port = *bound;  // port 0: the first worker's choice is everyone's
    impl->workers.push_back(std::move(w));
  }
  impl->port = port;
  Result<std::unique_ptr<ControlPlane>> control =
      ControlPlane::Start(cfg.admin_listen, &impl->shared);
  if (!control.ok()) return control.status();
  impl->control = std::move(*control);
  impl->control->Watch(runtime);
  for (auto& w : impl->workers) w->Run();
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

uint16_t Gateway::port() const noexcept { return impl_->port; }
uint16_t Gateway::admin_port() const noexcept { return impl_->control->port(); }
SharedState& Gateway::shared() noexcept { return impl_->shared; }

void Gateway::Reload(std::shared_ptr<Runtime> next) {
  const Config& old = impl_->shared.runtime()->config();
  const Config& cfg = next->config();
  auto keep = [&](bool changed, std::string_view what) {
    if (changed) {
      impl_->shared.events().warn("setting needs a restart; keeping the running value",
                                  {"setting", what});
    }
  };
  keep(!(old.listen == cfg.listen), "listen");
  keep(!(old.admin_listen == cfg.admin_listen), "admin_listen");
  keep(old.threads != cfg.threads, "threads");
  keep(old.access_log.path != cfg.access_log.path, "access_log.path");
  keep(old.tracing.exporter != cfg.tracing.exporter, "tracing.exporter");
  keep(old.service_name != cfg.service_name, "service_name");
  impl_->shared.Swap(next);
  impl_->control->Watch(std::move(next));
}

void Gateway::Stop(Millis grace) {
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->shared.set_stopping();
  for (auto& w : impl_->workers) w->BeginStop();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->active_clients.load(std::memory_order_acquire) > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& w : impl_->workers) w->Join();
  impl_->control->Stop();
  impl_->workers.clear();
}

}  // namespace callpath::gateway
