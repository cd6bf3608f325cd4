#include "http/access_log.h"

#include <chrono>

#if CALLPATH_HTTP_WITH_LOG
#include "callpath/log.h"
#endif

namespace callpath::http {

bool AccessLogAvailable() noexcept { return CALLPATH_HTTP_WITH_LOG != 0; }

namespace detail {

void WriteAccessLog(const AccessLogEntry& entry) noexcept {
#if CALLPATH_HTTP_WITH_LOG
  static const log::Logger* logger = new log::Logger("http.access");  // never destroyed: used at exit
  log::Level level = entry.status_code >= 500 || entry.status_code == 0 ? log::Level::kWarn
                                                                        : log::Level::kInfo;
  if (!logger->enabled(level)) return;
  log::Field fields[] = {
      {"http.request.method", entry.method},
      {"target", entry.target},
      {"http.route", entry.route},
      {"http.response.status_code", entry.status_code},
      {"duration", std::chrono::nanoseconds(entry.duration_ns)},
      {"client.address", entry.client_address},
      {"user_agent.original", entry.user_agent},
  };
  logger->LogList(level, "http request", fields, sizeof(fields) / sizeof(fields[0]));
#else
  (void)entry;
#endif
}

}  // namespace detail
}  // namespace callpath::http
