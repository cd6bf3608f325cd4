#pragma once

namespace callpath::log::detail {

// Installs (once) handlers for SIGSEGV, SIGABRT, SIGBUS and SIGFPE that
// flush the log queues (waiting at most two seconds), restore the previous
// handler and re-raise the signal, so the process still dies (or the
// application's own handler still runs) as it would have.
void InstallCrashHandlers() noexcept;

}  // namespace callpath::log::detail
