// The fields every structured logger writes under its own name - time,
// level, message, service - moved from a record's attributes into its
// first-class members, then its trace context picked (trace_ids.h).
//
//   time:    time, timestamp, ts, @timestamp, datetime, date
//   level:   level, severity, lvl, log.level, levelname, loglevel, severity_text
//   message: msg, message, @message, log, MESSAGE
//   service: service.name, service_name, serviceName, service, app, application
//
// The first present name of each kind wins and is removed; one already set
// on the record (by a regex group, say) is left alone. A time that does not
// parse stays an attribute. Pure; thread-compatible.
#pragma once

#include "logparse/parsed_log.h"

namespace callpath::logparse {

void ApplyWellKnownFields(ParsedLog& record);

}  // namespace callpath::logparse
