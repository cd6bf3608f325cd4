// RocksDB's info LOG, written without RocksDB's file writer.
//
// Debian's librocksdb is built with assertions on. Its own logger writes
// through WritableFileWriter, which asserts (aborts the process) on the
// first write after a failed one: one log line on a full disk, and the next
// line - at the latest the shutdown messages - killed callpathd. This logger
// writes each line with write(2) and drops lines it cannot write.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <ctime>

#include "store/rocksdb/rocksdb_store_impl.h"

namespace callpath::store {
namespace {

class PlainInfoLog final : public rocksdb::Logger {
 public:
  explicit PlainInfoLog(int fd) : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), fd_(fd) {}
  ~PlainInfoLog() override {
    if (fd_ >= 0) ::close(fd_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    int n = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06lld ", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                          static_cast<long long>(micros));
    va_list copy;
    va_copy(copy, ap);
    int m = std::vsnprintf(line + n, sizeof line - n - 1, format, copy);
    va_end(copy);
    size_t len = static_cast<size_t>(n) + (m < 0 ? 0 : std::min<size_t>(m, sizeof line - n - 2));
    line[len++] = '\n';
    ssize_t w;
    do {
      w = ::write(fd_, line, len);  // O_APPEND: one line per call
    } while (w < 0 && errno == EINTR);
  }

 private:
  int fd_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir) {
  int fd = ::open((dir + "/LOG").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return nullptr;  // RocksDB then opens its own
  return std::make_shared<PlainInfoLog>(fd);
}

}  // namespace callpath::store
