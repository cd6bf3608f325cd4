#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "callpath/log/sinks.h"
#include "log/format.h"
#include "log/write_all.h"

namespace callpath::log {
namespace {

constexpr uint64_t kNanosPerDay = 86400ull * 1000000000ull;

int OpenForAppend(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

std::string Numbered(const std::string& path, uint32_t n) { return path + "." + std::to_string(n); }

}  // namespace

Result<std::shared_ptr<FileSink>> FileSink::Open(FileSinkOptions options) {
  if (options.path.empty()) return InvalidArgument("FileSink: empty path");
  int fd = OpenForAppend(options.path);
  if (fd < 0) {
    return Unavailable("FileSink: cannot open " + options.path + ": " + std::strerror(errno));
  }
  struct stat st {};
  uint64_t size = 0;
  int64_t day = -1;
  if (::fstat(fd, &st) == 0) {
    size = static_cast<uint64_t>(st.st_size);
    // An existing non-empty file belongs to the day it was last written.
    if (size > 0) day = static_cast<int64_t>(st.st_mtim.tv_sec / 86400);
  }
  return std::shared_ptr<FileSink>(new FileSink(std::move(options), fd, size, day));
}

FileSink::FileSink(FileSinkOptions options, int fd, uint64_t size, int64_t day)
    : Sink(BatchPolicy{}), options_(std::move(options)), fd_(fd), assigned_bytes_(size),
      day_(day) {}

FileSink::~FileSink() {
  // The background thread has flushed us before dropping its reference;
  // anything still batched was never handed over, so write it now.
  Flush();
  if (fd_ >= 0) ::close(fd_);
}

void FileSink::Encode(const Record& record, Buffer& batch) {
  line_.clear();
  detail::AppendJsonLine(record, line_);
  int64_t day = static_cast<int64_t>(record.time_unix_nano / kNanosPerDay);
  bool new_day = options_.daily && day_ >= 0 && day != day_;
  bool too_big = options_.max_bytes > 0 && assigned_bytes_ > 0 &&
                 assigned_bytes_ + line_.size() > options_.max_bytes;
  if (new_day || too_big) {
    WriteBatchNow();  // the lines so far belong to the current file
    Rotate();
  }
  if (assigned_bytes_ == 0 || day_ < 0) day_ = day;
  assigned_bytes_ += line_.size();
  batch.Append(line_.view());
}

void FileSink::Write(std::string_view batch, size_t) {
  if (fd_ < 0 || !detail::WriteAll(fd_, batch)) CountWriteError();
}

// path.N-1 -> path.N, ..., path -> path.1; whatever falls past max_files is
// deleted. Rename is atomic, so a reader never sees a half-moved file.
void FileSink::Rotate() {
  const std::string& path = options_.path;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (options_.max_files == 0) {
    ::unlink(path.c_str());
  } else {
    ::unlink(Numbered(path, options_.max_files).c_str());
    for (uint32_t i = options_.max_files; i > 1; --i) {
      ::rename(Numbered(path, i - 1).c_str(), Numbered(path, i).c_str());
    }
    ::rename(path.c_str(), Numbered(path, 1).c_str());
  }
  fd_ = OpenForAppend(path);
  if (fd_ < 0) CountWriteError();
  assigned_bytes_ = 0;
  day_ = -1;
  ++rotations_;
}

}  // namespace callpath::log
