#include <cerrno>
#include <cstring>

#include "callpath/exporters.h"
#include "otlp/encode/otlp_json_encoder.h"

namespace callpath {

Result<std::unique_ptr<FileExporter>> FileExporter::Open(const std::string& path) {
  if (path.empty()) return InvalidArgument("trace file path is empty");
  std::FILE* f = std::fopen(path.c_str(), "ae");  // append; close-on-exec
  if (f == nullptr) {
    return Unavailable("cannot open trace file " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<FileExporter>(new FileExporter(f));
}

FileExporter::FileExporter(std::FILE* file) : file_(file) {}

FileExporter::~FileExporter() {
  if (file_ != nullptr) std::fclose(file_);
}

Status FileExporter::Export(std::span<const SpanData> batch, const Resource& resource) {
  std::lock_guard<std::mutex> lock(mu_);
  auto fail = [&](Status s) {
    failed_.fetch_add(batch.size(), std::memory_order_relaxed);
    failed_batches_.fetch_add(1, std::memory_order_relaxed);
    return s;
  };
  if (file_ == nullptr) return fail(FailedPrecondition("file exporter is shut down"));
  if (batch.empty()) return Status();
  line_.clear();
  internal::AppendTraceRequestJson(batch, resource, &line_);
  line_.push_back('\n');
  // One fwrite of the whole line, then a flush: a reader tailing the file
  // sees whole lines, and a crash after Export returns loses nothing.
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size() || std::fflush(file_) != 0) {
    int err = errno;
    std::clearerr(file_);
    return fail(DataLoss(std::string("writing the trace file failed: ") + std::strerror(err)));
  }
  exported_.fetch_add(batch.size(), std::memory_order_relaxed);
  return Status();
}

Status FileExporter::ForceFlush(std::chrono::milliseconds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr && std::fflush(file_) != 0) {
    return DataLoss(std::string("flushing the trace file failed: ") + std::strerror(errno));
  }
  return Status();
}

Status FileExporter::Shutdown(std::chrono::milliseconds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ == nullptr) return Status();
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return DataLoss(std::string("closing the trace file failed: ") + std::strerror(errno));
  return Status();
}

SpanExporterStats FileExporter::stats() const {
  SpanExporterStats s;
  s.exported_spans = exported_.load(std::memory_order_relaxed);
  s.failed_spans = failed_.load(std::memory_order_relaxed);
  s.failed_batches = failed_batches_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace callpath
