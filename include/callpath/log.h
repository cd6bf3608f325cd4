// callpath::log — the structured logger. Start here.
//
//   #include "callpath/log.h"
//
//   callpath::log::Logger log("checkout");
//   log.info("service call started", {"method", "UserService.Get"}, {"duration_us", 1234});
//
// Every record is one JSON object per line with timestamp (RFC 3339, ns,
// UTC), level, msg, service_name, trace_id, span_id (of the current span),
// caller (file:line), then the fields in call order. The calling thread only
// copies its arguments into a per-thread queue; one background thread
// formats and writes.
//
//   log/logger.h   Logger: the calls, child loggers (With, WithContext, Named)
//   log/field.h    field types: strings, integers, floats, bool, durations, errors, objects
//   log/options.h  Init, Flush, Shutdown, environment variables
//   log/sinks.h    FileSink (rotation, retention), ConsoleSink
//   log/sink.h     writing your own sink
//   log/otlp_sink.h       OTLP/HTTP logs export
//   log/spdlog_bridge.h   trace ids in spdlog lines, spdlog -> callpath forwarding
#pragma once

#include "callpath/log/field.h"
#include "callpath/log/level.h"
#include "callpath/log/logger.h"
#include "callpath/log/options.h"
#include "callpath/log/sinks.h"
