// SpanExporter: where finished spans go. The batch processor calls Export
// from its one background thread, never concurrently with itself, so an
// exporter needs no locking of its own against Export.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

#include "callpath/span_data.h"
#include "callpath/status.h"

namespace callpath {

class SpanExporter {
 public:
  virtual ~SpanExporter() = default;

  // Sends one batch. Returns OK when the receiver accepted it, or a status
  // saying why not; the caller counts a failed batch as dropped and does not
  // retry (retrying, where the protocol allows it, is the exporter's job).
  // `resource` describes the process and is the same for every call.
  virtual Status Export(std::span<const SpanData> batch, const Resource& resource) = 0;

  // Waits up to `timeout` for anything buffered to be sent.
  virtual Status ForceFlush(std::chrono::milliseconds timeout) { (void)timeout; return Status(); }

  // Releases connections. Export is not called after Shutdown.
  virtual Status Shutdown(std::chrono::milliseconds timeout) { (void)timeout; return Status(); }
};

}  // namespace callpath
