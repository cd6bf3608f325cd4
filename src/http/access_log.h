// The default access-log line, through callpath::log when it is built.
#pragma once

#include "callpath/http/server_span.h"

namespace callpath::http::detail {

// Writes `entry` as one "http request" record of the logger "http.access"
// (level info, warn for 5xx). Does nothing when callpath::log is not linked.
void WriteAccessLog(const AccessLogEntry& entry) noexcept;

}  // namespace callpath::http::detail
