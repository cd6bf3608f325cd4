#include "log/crash_handler.h"

#include <signal.h>

#include <atomic>
#include <mutex>

#include "log/backend.h"

namespace callpath::log::detail {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE};
struct sigaction g_previous[NSIG];

void OnCrash(int sig, siginfo_t*, void*) {
  Backend::Get().CrashFlush(2000);
  sigaction(sig, &g_previous[sig], nullptr);
  // `sig` is blocked while we run: it is delivered, with the restored
  // disposition, as soon as this handler returns.
  raise(sig);
}

}  // namespace

void InstallCrashHandlers() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : kSignals) {
      struct sigaction sa {};
      sa.sa_sigaction = OnCrash;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
      sigaction(sig, &sa, &g_previous[sig]);
    }
  });
}

}  // namespace callpath::log::detail
